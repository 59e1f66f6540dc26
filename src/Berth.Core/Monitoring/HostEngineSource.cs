using Berth.Core.Servers;
using Berth.Docker;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Berth.Core.Monitoring;

/// <summary>The host engine (<see cref="MonitorOptions.HostEndpoint"/>) as the only engine of ParentServerID 0; it never changes.</summary>
public sealed class HostEngineSource(IOptions<MonitorOptions> options) : IMonitoredEngines
{
    private readonly MonitoredEngine[] _engines = options.Value.HostEndpoint is { } endpoint
        ? [new MonitoredEngine(VirtualServer.HostId, endpoint.ToString(), () => DockerClientFactory.Create(endpoint), HostContainer: null)]
        : [];

    public IReadOnlyCollection<MonitoredEngine> GetEngines() => _engines;

    public IChangeToken GetChangeToken() => new CancellationChangeToken(CancellationToken.None);
}
