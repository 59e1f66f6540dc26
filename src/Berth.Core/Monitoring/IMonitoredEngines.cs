using Docker.DotNet;
using Microsoft.Extensions.Primitives;

namespace Berth.Core.Monitoring;

/// <summary>
/// The seam between the monitor and whoever knows which Docker engines exist: the host engine
/// (<see cref="Servers.VirtualServer.HostId"/>) and the inner engine of every running virtual
/// server. The monitor watches the union of every registered source and re-reads it each time a
/// source's change token fires.
/// </summary>
public interface IMonitoredEngines
{
    /// <summary>The engines to watch now (a snapshot; the caller does not keep it).</summary>
    IReadOnlyCollection<MonitoredEngine> GetEngines();

    /// <summary>A token that fires once the next time <see cref="GetEngines"/> would answer differently.</summary>
    IChangeToken GetChangeToken();
}

/// <summary>One engine to watch.</summary>
/// <param name="ServerId">The rows' <c>ParentServerID</c>: 0 for the host, the server id for an inner engine.</param>
/// <param name="Endpoint">Identity of the connection (endpoint and credential): a new value means "reconnect".</param>
/// <param name="Connect">Builds a new client; the caller disposes it. Called again after every fault.</param>
/// <param name="HostContainer">
/// For an inner engine, the name (or id) of the server's container on the host engine, whose
/// stats give the server's CPU and memory; null for the host engine.
/// </param>
public sealed record MonitoredEngine(long ServerId, string Endpoint, Func<IDockerClient> Connect, string? HostContainer)
{
    internal EngineKey Key => new(ServerId, Endpoint);
}

internal readonly record struct EngineKey(long ServerId, string Endpoint);
