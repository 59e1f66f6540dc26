using System.Net;
using System.Net.Sockets;
using Berth.Core.Hosting;
using Berth.Docker;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Servers.Network;

/// <summary>What <see cref="ServerNetworkGuard.EnsureAsync(string, CancellationToken)"/> did.</summary>
/// <param name="Bridge">The servers' bridge interface the rules match.</param>
/// <param name="ForwardParent">Where the forward chain is jumped to from.</param>
/// <param name="Changed">Whether any rule was written (false when everything was already in place).</param>
public sealed record ServerFirewallState(string Bridge, string ForwardParent, bool Changed);

/// <summary>
/// Installs, idempotently, the host rules of <see cref="ServerFirewallPlan"/> for the servers'
/// network through <c>iptables</c> run by <see cref="HostTools"/> with fixed argument vectors.
/// Chains of networks that no longer exist (their bridge is gone) are removed on the way.
/// Only IPv4 is guarded: the servers' network has no IPv6.
/// </summary>
public sealed partial class ServerNetworkGuard(HostTools tools, ServersOptions options, ILogger<ServerNetworkGuard> logger) : IDisposable
{
    /// <summary>The engine's own chain for user rules; it exists only when the engine manages iptables.</summary>
    public const string DockerUserChain = "DOCKER-USER";

    private const string BridgeNameOption = "com.docker.network.bridge.name";
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Where the host's resolvers are read from (servers' DNS goes through the engine to them).</summary>
    public string ResolvConfPath { get; init; } = "/etc/resolv.conf";

    /// <summary>Where the host lists its network interfaces.</summary>
    public string InterfacesPath { get; init; } = "/sys/class/net";

    /// <summary>Whether rules are installed at all: enabled, and the engine runs on this host.</summary>
    public bool Active => options.ManageFirewall && options.DockerHost.Scheme == "unix";

    /// <summary>The host interface of a bridge network.</summary>
    public static string BridgeOf(NetworkResponse network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return network.Options is { } o && o.TryGetValue(BridgeNameOption, out var name) && !string.IsNullOrEmpty(name)
            ? name
            : "br-" + network.ID[..12];
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Installs the rules for the network <paramref name="network"/> (name or id) of <paramref name="host"/>.</summary>
    public async Task<ServerFirewallState?> EnsureAsync(DockerEngine host, string network, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (!Active)
        {
            LogInactive(options.ManageFirewall ? "the engine is not on this host" : "disabled by settings");
            return null;
        }

        var inspect = await host.Networks.InspectAsync(network, cancellationToken)
            ?? throw new InvalidOperationException($"Network {network} does not exist.");
        return await EnsureAsync(BridgeOf(inspect), cancellationToken);
    }

    /// <summary>Installs the rules for the bridge interface <paramref name="bridge"/>.</summary>
    public async Task<ServerFirewallState> EnsureAsync(string bridge, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // This runs before every server creation: one listing of the filter table answers every
            // check when the rules are in place (one process, not six); anything else goes the long way.
            var all = await RunCheckedAsync(["-S"], cancellationToken);
            var forwardParent = all.Rules.Contains($"-A FORWARD -j {DockerUserChain}")
                || await RunAsync(["-C", "FORWARD", "-j", DockerUserChain], cancellationToken) is { Exit: 0 } ? DockerUserChain : "FORWARD";
            var services = Resolvers().Concat(await MirrorServicesAsync(cancellationToken)).ToList();
            var chains = ServerFirewallPlan.Build(new ServerFirewallSettings(
                options.FirewallChainPrefix, bridge, forwardParent, options.BlockPrivateEgress, services, options.AllowedEgress));

            var changed = false;
            foreach (var chain in chains)
            {
                if (!IsInPlace(chain, all))
                {
                    changed |= await EnsureChainAsync(chain, cancellationToken);
                }
            }

            await RemoveStaleAsync(bridge, all, cancellationToken);
            if (changed)
            {
                LogInstalled(bridge, forwardParent, options.BlockPrivateEgress);
            }

            return new ServerFirewallState(bridge, forwardParent, changed);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Berth's chains for <paramref name="bridge"/> as <c>iptables -S</c> prints them (empty when absent).</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string bridge, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var chain in (string[])[ServerFirewallPlan.InputChain(options.FirewallChainPrefix, bridge), ServerFirewallPlan.ForwardChain(options.FirewallChainPrefix, bridge)])
        {
            if (await RunAsync(["-S", chain], cancellationToken) is { Exit: 0 } listed)
            {
                lines.AddRange(listed.Rules);
            }
        }

        return lines;
    }

    /// <summary>Removes Berth's chains for <paramref name="bridge"/> and the rules that jump to them.</summary>
    public async Task RemoveAsync(string bridge, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var all = await RunCheckedAsync(["-S"], cancellationToken);
            foreach (var chain in (string[])[ServerFirewallPlan.InputChain(options.FirewallChainPrefix, bridge), ServerFirewallPlan.ForwardChain(options.FirewallChainPrefix, bridge)])
            {
                await RemoveChainAsync(chain, all, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<bool> EnsureChainAsync(FirewallChain chain, CancellationToken cancellationToken)
    {
        var changed = false;
        var listed = await RunAsync(["-S", chain.Name], cancellationToken);
        if (listed.Exit != 0)
        {
            await RunCheckedAsync(["-N", chain.Name], cancellationToken);
            listed = await RunCheckedAsync(["-S", chain.Name], cancellationToken);
        }

        if (!listed.Rules.SequenceEqual(chain.Listing, StringComparer.Ordinal))
        {
            // Written in full before the jump exists (first install); on a change the chain is
            // briefly empty, between the flush and the appends.
            await RunCheckedAsync(["-F", chain.Name], cancellationToken);
            foreach (var rule in chain.Rules)
            {
                await RunCheckedAsync(["-A", chain.Name, .. rule], cancellationToken);
            }

            changed = true;
        }

        if (await RunAsync(["-C", chain.Parent, .. chain.Jump], cancellationToken) is not { Exit: 0 })
        {
            await RunCheckedAsync(["-I", chain.Parent, "1", .. chain.Jump], cancellationToken);
            changed = true;
        }

        return changed;
    }

    /// <summary>Whether <c>iptables -S</c> shows the chain exactly as planned and the jump to it (as iptables prints them).</summary>
    private static bool IsInPlace(FirewallChain chain, IptablesOutput all) =>
        all.Rules.Where(line => line == $"-N {chain.Name}" || line.StartsWith($"-A {chain.Name} ", StringComparison.Ordinal))
            .SequenceEqual(chain.Listing, StringComparer.Ordinal)
        && all.Rules.Contains($"-A {chain.Parent} {string.Join(' ', chain.Jump)}");

    /// <summary>Chains of this prefix whose bridge no longer exists (their network was removed).</summary>
    private async Task RemoveStaleAsync(string current, IptablesOutput all, CancellationToken cancellationToken)
    {
        var stale = all.Rules
            .Where(line => line.StartsWith("-N ", StringComparison.Ordinal))
            .Select(line => line[3..])
            .Where(chain => ServerFirewallPlan.BridgeOfChain(options.FirewallChainPrefix, chain) is { } bridge
                && bridge != current
                && !Directory.Exists(Path.Combine(InterfacesPath, bridge)))
            .ToList();
        foreach (var chain in stale)
        {
            await RemoveChainAsync(chain, all, cancellationToken);
            LogRemovedStale(chain);
        }
    }

    private async Task RemoveChainAsync(string chain, IptablesOutput all, CancellationToken cancellationToken)
    {
        foreach (var jump in all.Rules.Where(line => line.StartsWith("-A ", StringComparison.Ordinal) && line.EndsWith($" -j {chain}", StringComparison.Ordinal)))
        {
            var words = jump.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            await RunAsync(["-D", .. words[1..]], cancellationToken);
        }

        if (all.Rules.Contains($"-N {chain}"))
        {
            await RunAsync(["-F", chain], cancellationToken);
            await RunAsync(["-X", chain], cancellationToken);
        }
    }

    /// <summary>The host's IPv4 resolvers other than loopback ones (the engine queries those from the host itself).</summary>
    private IEnumerable<FirewallService> Resolvers()
    {
        if (!File.Exists(ResolvConfPath))
        {
            return [];
        }

        return File.ReadLines(ResolvConfPath)
            .Select(line => line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(words => words.Length >= 2 && words[0] == "nameserver")
            .Select(words => IPAddress.TryParse(words[1], out var address) ? address : null)
            .OfType<IPAddress>()
            .Where(address => address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(address))
            .SelectMany(address => (FirewallService[])[new(address, "udp", 53), new(address, "tcp", 53)]);
    }

    /// <summary>The registry mirror's addresses: servers pull through it even when it sits on a private address.</summary>
    private async Task<IEnumerable<FirewallService>> MirrorServicesAsync(CancellationToken cancellationToken)
    {
        if (RegistryMirror.Parse(options.RegistryMirror) is not { } mirror)
        {
            return [];
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(mirror.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(mirror.DnsSafeHost, AddressFamily.InterNetwork, cancellationToken);
        }
        catch (SocketException e)
        {
            LogMirrorUnresolved(mirror.Host, e.Message);
            return [];
        }

        return addresses.Select(address => new FirewallService(address, "tcp", mirror.Port));
    }

    private async Task<IptablesOutput> RunCheckedAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await RunAsync(arguments, cancellationToken);
        return result.Exit == 0
            ? result
            : throw new InvalidOperationException($"iptables {string.Join(' ', arguments)} failed with exit code {result.Exit}: {result.Error}");
    }

    private async Task<IptablesOutput> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        // -w: wait for the xtables lock rather than fail when another program changes rules.
        var result = await tools.RunAsync(HostTool.Iptables, ["-w", "10", .. arguments], line =>
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }, cancellationToken);
        lock (lines)
        {
            return new IptablesOutput(result.ExitCode, lines.Where(l => l.StartsWith('-')).ToList(), result.ErrorTail);
        }
    }

    private sealed record IptablesOutput(int Exit, IReadOnlyList<string> Rules, string Error);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Servers' network {Bridge}: host rules installed (forward chain from {ForwardParent}, private ranges blocked: {BlockPrivate})")]
    private partial void LogInstalled(string bridge, string forwardParent, bool blockPrivate);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Removed firewall chain {Chain}: its network no longer exists")]
    private partial void LogRemovedStale(string chain);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Host firewall rules for virtual servers are not installed: {Reason}")]
    private partial void LogInactive(string reason);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "Registry mirror host {Host} does not resolve ({Reason}); servers may not reach it if it is on a private address")]
    private partial void LogMirrorUnresolved(string host, string reason);
}
