using System.Globalization;
using System.Net;
using Berth.Core.Servers.Image;
using Berth.Core.Servers.Network;
using Berth.Core.Ssh;
using Berth.Docker;
using Docker.DotNet;
using Docker.DotNet.Models;
using ContainerSpec = Berth.Docker.ContainerSpec;

namespace Berth.Core.Servers;

/// <summary>A server's container as the host engine sees it.</summary>
public sealed record ServerContainer(long ServerId, string Id, string State, string Status, string? Address);

/// <summary>
/// The host-engine side of virtual servers: the container <c>hosting-users-dind-&lt;id&gt;</c>
/// (hostname <c>server&lt;id&gt;</c>, the server's folders and TLS material mounted, the servers'
/// network, restart unless stopped, the runtime profile's isolation and the server's limits).
/// Every <see cref="IInnerEngineListener"/> hears when a server's engine starts answering and
/// before it is stopped.
/// </summary>
public sealed class ServerContainers(
    DockerEngine host,
    ServersOptions options,
    EngineCredentials credentials,
    SshEntryKeys sshKeys,
    ServerDirectories directories,
    RuntimeProfileHolder profile,
    IEnumerable<IInnerEngineListener> listeners,
    ServerNetworkGuard? guard = null)
{
    private readonly IInnerEngineListener[] _listeners = [.. listeners];

    /// <summary>Between looks at a started container that has no address yet (one inspect each).</summary>
    private static readonly TimeSpan AddressPollInterval = TimeSpan.FromMilliseconds(100);

    public const string ContainerPrefix = ServerOverviewQuery.ContainerPrefix;

    /// <summary>Label carrying the server id on its container.</summary>
    public string ServerIdLabel => $"{options.LabelPrefix}.server-id";

    public DockerEngine Host => host;

    public static string ContainerName(long id) => ContainerPrefix + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Every server container of this installation, by server id (one engine call).</summary>
    public async Task<Dictionary<long, ServerContainer>> ListAsync(CancellationToken cancellationToken)
    {
        var containers = await host.Containers.ListByLabelAsync($"{host.Labels.SessionKey}={host.Labels.SessionId}", cancellationToken);
        var result = new Dictionary<long, ServerContainer>();
        foreach (var container in containers)
        {
            if (container.Labels is not null && container.Labels.TryGetValue(ServerIdLabel, out var text)
                && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                result[id] = new ServerContainer(id, container.ID, container.State ?? "", container.Status ?? "", AddressOn(container.NetworkSettings?.Networks));
            }
        }

        return result;
    }

    public async Task<ServerContainer?> FindAsync(long serverId, CancellationToken cancellationToken)
    {
        var inspect = await host.Containers.InspectAsync(ContainerName(serverId), cancellationToken);
        if (inspect is null)
        {
            return null;
        }

        return new ServerContainer(serverId, inspect.ID, inspect.State?.Status ?? "", inspect.State?.Status ?? "", AddressOn(inspect.NetworkSettings?.Networks));
    }

    /// <summary>The container's address on the servers' network, or null when it has none (yet).</summary>
    private string? AddressOn(IDictionary<string, EndpointSettings>? networks) =>
        networks is not null && networks.TryGetValue(options.Network, out var endpoint) && !string.IsNullOrEmpty(endpoint.IPAddress) ? endpoint.IPAddress : null;

    /// <summary>
    /// Creates and starts the container, then waits until its engine answers over mutual TLS. What
    /// does not depend on each other runs side by side: the folders and TLS material with finding
    /// the network, the host rules with creating the (not yet started) container. Nothing starts
    /// before the rules are in place.
    /// </summary>
    public async Task<ServerContainer> CreateAndStartAsync(long serverId, ResourceLimits limits, CancellationToken cancellationToken)
    {
        var material = Task.Run(
            () =>
            {
                directories.Create(serverId);
                var folder = credentials.EnsureServerMaterial(serverId);
                sshKeys.EnsureServerMaterial(serverId);
                RegistryMirror.WriteEngineConfig(folder, options.RegistryMirror);
                return folder;
            },
            cancellationToken);
        var ensured = host.Networks.EnsureIsolatedBridgeAsync(options.Network, cancellationToken);
        await Task.WhenAll(material, ensured);
        var (tls, network) = (await material, await ensured);
        var rules = guard is null ? Task.CompletedTask : (Task)guard.EnsureAsync(host, network, cancellationToken);
        var active = profile.Profile;
        var spec = new ContainerSpec
        {
            Image = options.Image,
            Name = ContainerName(serverId),
            Hostname = EngineCredentials.ServerName(serverId),
            Labels = new Dictionary<string, string> { [ServerIdLabel] = serverId.ToString(CultureInfo.InvariantCulture) },
            Runtime = active.Runtime,
            Privileged = active.Privileged,
            CapAdd = active.CapAdd,
            CapDrop = active.CapDrop,
            SecurityOptions = active.SecurityOptions,
            Mounts =
            [
                new BindMount(directories.Apps(serverId), "/apps"),
                new BindMount(directories.Docker(serverId), "/var/lib/docker"),
                new BindMount(tls, VirtualServerImage.TlsDirectory, ReadOnly: true),
            ],
            Limits = limits,
            Restart = RestartMode.UnlessStopped,
            Network = network,
        };
        var created = CreateReplacingLeftoverAsync(serverId, spec, cancellationToken);

        // Both must succeed; awaiting both first means neither is left running unobserved.
        await Task.WhenAll(rules, created);
        return await StartCreatedAsync(serverId, cancellationToken);
    }

    /// <summary>
    /// Server ids are never reused, so the name is normally free and creation is one engine call; a
    /// container left by a creation that Berth did not finish (a crash) is removed and creation retried.
    /// </summary>
    private async Task CreateReplacingLeftoverAsync(long serverId, ContainerSpec spec, CancellationToken cancellationToken)
    {
        try
        {
            await host.Containers.CreateAsync(spec, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            await DiscardAsync(serverId, cancellationToken);
            await host.Containers.CreateAsync(spec, cancellationToken);
        }
    }

    /// <summary>The host rules for the servers' network when it exists already (servers may be running); creates nothing.</summary>
    public async Task ProtectExistingNetworkAsync(CancellationToken cancellationToken)
    {
        if (guard is not null && await host.Networks.InspectAsync(options.Network, cancellationToken) is { } network)
        {
            await guard.EnsureAsync(host, network.ID, cancellationToken);
        }
    }

    /// <summary>Starts an existing container and waits for its engine.</summary>
    public async Task<ServerContainer> StartAsync(long serverId, CancellationToken cancellationToken)
    {
        RegistryMirror.WriteEngineConfig(credentials.EnsureServerMaterial(serverId), options.RegistryMirror);
        sshKeys.EnsureServerMaterial(serverId);
        return await StartCreatedAsync(serverId, cancellationToken);
    }

    private async Task<ServerContainer> StartCreatedAsync(long serverId, CancellationToken cancellationToken)
    {
        await host.Containers.StartAsync(ContainerName(serverId), cancellationToken);
        try
        {
            var (container, address) = await UntilAddressedAsync(serverId, cancellationToken);
            using var inner = credentials.ConnectInner(serverId, address);
            var listener = IPAddress.TryParse(address, out var ip) ? new IPEndPoint(ip, VirtualServerImage.EnginePort) : null;
            await DockerWait.UntilEngineAnswersAsync(inner, options.EngineStartTimeout, host.Time, cancellationToken, listener);
            ReportRunning(serverId, address);
            return container;
        }
        catch (TimeoutException e)
        {
            // What the operator needs first: whether the container keeps dying, and what it said last.
            throw new TimeoutException($"{e.Message} {await DescribeAsync(serverId, cancellationToken)}", e);
        }
    }

    /// <summary>
    /// The started container once it runs with an address on the servers' network. A container
    /// whose engine exits at once (dockerd giving up on a starved machine) has no address until
    /// its restart policy brings it back, so it is given until the engine start timeout.
    /// </summary>
    private async Task<(ServerContainer Container, string Address)> UntilAddressedAsync(long serverId, CancellationToken cancellationToken)
    {
        var name = ContainerName(serverId);
        var deadline = host.Time.GetTimestamp() + (long)(options.EngineStartTimeout.TotalSeconds * host.Time.TimestampFrequency);
        while (true)
        {
            var inspect = await host.Containers.InspectAsync(name, cancellationToken)
                ?? throw new InvalidOperationException($"Container {name} vanished while starting.");
            if (AddressOn(inspect.NetworkSettings?.Networks) is { } address && inspect.State?.Running == true)
            {
                return (new ServerContainer(serverId, inspect.ID, inspect.State.Status ?? "", inspect.State.Status ?? "", address), address);
            }

            if (host.Time.GetTimestamp() >= deadline)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"Container {name} had no address on network {options.Network} within {options.EngineStartTimeout.TotalSeconds:0.#} s."));
            }

            await Task.Delay(AddressPollInterval, host.Time, cancellationToken);
        }
    }

    /// <summary>"(container exited, exit code 1, restarted 3 times; last output: …)", or why that is unknown.</summary>
    private async Task<string> DescribeAsync(long serverId, CancellationToken cancellationToken)
    {
        var name = ContainerName(serverId);
        try
        {
            var inspect = await host.Containers.InspectAsync(name, cancellationToken);
            if (inspect?.State is not { } state)
            {
                return "(the container is gone)";
            }

            var output = (await host.Containers.TailLogsAsync(name, 5, cancellationToken)).Trim().ReplaceLineEndings(" | ");
            return string.Create(CultureInfo.InvariantCulture,
                $"(container {state.Status}, exit code {state.ExitCode}, restarted {inspect.RestartCount} times; last output: {(output.Length == 0 ? "none" : output)})");
        }
        catch (DockerApiException e)
        {
            return $"(the container could not be inspected: {e.Message})";
        }
    }

    public async Task StopAsync(long serverId, CancellationToken cancellationToken)
    {
        // Before the stop, so that watchers let go of the engine instead of seeing it fail.
        ReportGone(serverId);
        try
        {
            await host.Containers.StopAsync(ContainerName(serverId), TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            // Nothing to stop.
        }
    }

    /// <summary>Removes the container at once, running or not, in one engine call; a missing one is fine.</summary>
    public Task DiscardAsync(long serverId, CancellationToken cancellationToken) =>
        host.Containers.RemoveAsync(ContainerName(serverId), cancellationToken);

    /// <summary>Stops and removes the container; a missing one is fine.</summary>
    public async Task RemoveAsync(long serverId, CancellationToken cancellationToken)
    {
        await StopAsync(serverId, cancellationToken);
        await host.Containers.RemoveAsync(ContainerName(serverId), cancellationToken);
    }

    public Task UpdateLimitsAsync(long serverId, ResourceLimits limits, CancellationToken cancellationToken) =>
        host.Containers.UpdateLimitsAsync(ContainerName(serverId), limits, cancellationToken);

    public async Task<ContainerInspectResponse?> InspectAsync(long serverId, CancellationToken cancellationToken) =>
        await host.Containers.InspectAsync(ContainerName(serverId), cancellationToken);

    /// <summary>A client for the server's own engine (the caller disposes it).</summary>
    public async Task<IDockerClient?> ConnectInnerAsync(long serverId, CancellationToken cancellationToken) =>
        await FindAsync(serverId, cancellationToken) is { Address: { } address } ? credentials.ConnectInner(serverId, address) : null;

    /// <summary>Tells the listeners that the engine of <paramref name="serverId"/> answers at <paramref name="address"/>.</summary>
    public void ReportRunning(long serverId, string address)
    {
        foreach (var listener in _listeners)
        {
            listener.EngineRunning(serverId, address);
        }
    }

    /// <summary>Tells the listeners that the engine of <paramref name="serverId"/> is gone.</summary>
    public void ReportGone(long serverId)
    {
        foreach (var listener in _listeners)
        {
            listener.EngineGone(serverId);
        }
    }

    public static ResourceLimits LimitsOf(ServerSettings settings) =>
        new(settings.Cpus, settings.MemoryMb is { } mb ? mb * 1024 * 1024 : null, settings.Pids);
}

/// <summary>The runtime profile in force, resolved once against the host engine at start.</summary>
public sealed class RuntimeProfileHolder
{
    public RuntimeProfile Profile { get; set; } = RuntimeProfile.Caps;
}
