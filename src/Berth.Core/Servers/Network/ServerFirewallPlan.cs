using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Berth.Core.Servers.Network;

/// <summary>A destination servers may reach in spite of the rules (a resolver, a registry mirror).</summary>
public sealed record FirewallService(IPAddress Address, string Protocol, int Port);

/// <summary>What the rules for one servers' bridge depend on.</summary>
/// <param name="ChainPrefix">Prefix of Berth's chains (a test uses one of its own).</param>
/// <param name="Bridge">The host interface of the servers' network (<c>br-&lt;id&gt;</c>).</param>
/// <param name="ForwardParent"><c>DOCKER-USER</c> when the engine manages iptables, <c>FORWARD</c> otherwise.</param>
/// <param name="BlockPrivateEgress">Whether private and link-local ranges are refused too.</param>
/// <param name="Services">Destinations always allowed (the host's resolvers, a registry mirror).</param>
/// <param name="AllowedRanges">Ranges allowed in spite of <paramref name="BlockPrivateEgress"/>.</param>
public sealed record ServerFirewallSettings(
    string ChainPrefix,
    string Bridge,
    string ForwardParent,
    bool BlockPrivateEgress,
    IReadOnlyList<FirewallService> Services,
    IReadOnlyList<string> AllowedRanges);

/// <summary>One of Berth's chains, the built-in chain that jumps to it and its rules (argument vectors).</summary>
public sealed record FirewallChain(string Name, string Parent, IReadOnlyList<string> Jump, IReadOnlyList<IReadOnlyList<string>> Rules)
{
    /// <summary>The chain as <c>iptables -S &lt;chain&gt;</c> prints it when it is exactly as planned.</summary>
    public IReadOnlyList<string> Listing =>
        [$"-N {Name}", .. Rules.Select(rule => $"-A {Name} {string.Join(' ', rule)}")];
}

/// <summary>
/// The host rules for the servers' bridge, as argument vectors for <c>iptables</c> (filter table),
/// written the way <c>iptables -S</c> prints them so that an unchanged chain is recognised and left
/// alone. Two chains per bridge, both matched on the bridge interface (a tenant is root in its
/// server and can pick any source address, but not the interface its packets arrive on):
/// <list type="bullet">
/// <item><c>PREFIX-I-&lt;bridge&gt;</c>, jumped to from <c>INPUT</c>: packets from servers to any of the host's
/// own addresses (the gateway, the public address, published ports): only replies to connections
/// the host opened (Berth's calls to inner engines, the edge, the forwarder) and DNS to the host's
/// resolvers pass; everything else is rejected.</item>
/// <item><c>PREFIX-O-&lt;bridge&gt;</c>, jumped to from <c>DOCKER-USER</c> (or <c>FORWARD</c>): traffic from
/// servers routed elsewhere: replies pass; server to server is rejected (on top of the network's
/// disabled inter-container communication); with <see cref="ServerFirewallSettings.BlockPrivateEgress"/>,
/// private and link-local ranges are rejected except the allowed services and ranges.</item>
/// </list>
/// </summary>
public static partial class ServerFirewallPlan
{
    /// <summary>Private (RFC 1918) and link-local (cloud metadata at 169.254.169.254) ranges.</summary>
    public static readonly IReadOnlyList<string> PrivateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];

    private static readonly string[] Established = ["-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "RETURN"];
    private static readonly string[] Reject = ["-j", "REJECT", "--reject-with", "icmp-port-unreachable"];

    public static string InputChain(string prefix, string bridge) => $"{prefix}-I-{bridge}";

    public static string ForwardChain(string prefix, string bridge) => $"{prefix}-O-{bridge}";

    /// <summary>The input chain first, then the forward chain.</summary>
    public static IReadOnlyList<FirewallChain> Build(ServerFirewallSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ValidateName(settings.ChainPrefix, "chain prefix");
        ValidateName(settings.Bridge, "bridge interface");
        ValidateName(settings.ForwardParent, "forward chain");
        if (InputChain(settings.ChainPrefix, settings.Bridge).Length > MaxChainName)
        {
            throw new ArgumentException($"Chain names for prefix '{settings.ChainPrefix}' and bridge '{settings.Bridge}' exceed {MaxChainName} characters.", nameof(settings));
        }

        var services = settings.Services.Where(s => s.Address.AddressFamily == AddressFamily.InterNetwork).Distinct().ToList();

        var input = new List<IReadOnlyList<string>> { Established };
        input.AddRange(services.Select(Allow));
        input.Add(Reject);

        string[] serverToServer = ["-o", settings.Bridge, .. Reject];
        var forward = new List<IReadOnlyList<string>> { Established, serverToServer };
        forward.AddRange(services.Select(Allow));
        if (settings.BlockPrivateEgress)
        {
            forward.AddRange(settings.AllowedRanges.Select(range => (IReadOnlyList<string>)["-d", NormaliseRange(range), "-j", "RETURN"]));
            forward.AddRange(PrivateRanges.Select(range => (IReadOnlyList<string>)["-d", range, .. Reject]));
        }

        return
        [
            new FirewallChain(InputChain(settings.ChainPrefix, settings.Bridge), "INPUT", ["-i", settings.Bridge, "-j", InputChain(settings.ChainPrefix, settings.Bridge)], input),
            new FirewallChain(ForwardChain(settings.ChainPrefix, settings.Bridge), settings.ForwardParent, ["-i", settings.Bridge, "-j", ForwardChain(settings.ChainPrefix, settings.Bridge)], forward),
        ];
    }

    /// <summary><c>10.1.2.3</c> → <c>10.1.2.3/32</c>; <c>10.1.0.0/16</c> stays; anything else is refused.</summary>
    public static string NormaliseRange(string range)
    {
        ArgumentNullException.ThrowIfNull(range);
        var text = range.Trim();
        if (IPAddress.TryParse(text, out var single) && single.AddressFamily == AddressFamily.InterNetwork)
        {
            return $"{single}/32";
        }

        // Host bits set (10.1.2.3/8) are refused rather than masked: they are likely a typo.
        if (IPNetwork.TryParse(text, out var network) && network.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            && text.StartsWith(network.BaseAddress + "/", StringComparison.Ordinal))
        {
            return network.ToString();
        }

        throw new ArgumentException($"'{range}' is not an IPv4 address or range (a.b.c.d/n with no host bits set).", nameof(range));
    }

    /// <summary>The bridge a chain of this prefix belongs to, or null when the chain is not one of its.</summary>
    public static string? BridgeOfChain(string prefix, string chain)
    {
        foreach (var kind in (string[])["-I-", "-O-"])
        {
            var start = prefix + kind;
            if (chain.StartsWith(start, StringComparison.Ordinal) && chain.Length > start.Length)
            {
                return chain[start.Length..];
            }
        }

        return null;
    }

    /// <summary>Longest chain name iptables accepts.</summary>
    public const int MaxChainName = 28;

    private static string[] Allow(FirewallService service) =>
        ["-d", $"{service.Address}/32", "-p", service.Protocol, "-m", service.Protocol, "--dport", service.Port.ToString(CultureInfo.InvariantCulture), "-j", "RETURN"];

    private static void ValidateName(string value, string what)
    {
        if (!SafeName().IsMatch(value))
        {
            throw new ArgumentException($"The {what} '{value}' is not a plain interface or chain name.", nameof(value));
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,27}$")]
    private static partial Regex SafeName();
}
