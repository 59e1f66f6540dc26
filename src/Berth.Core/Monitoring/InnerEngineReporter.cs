using Berth.Core.Servers;

namespace Berth.Core.Monitoring;

/// <summary>
/// The server lifecycle's news about inner engines, turned into <see cref="InnerEngineRegistry"/>
/// entries: the engine's mutual-TLS listener on the server's address, with the client certificate
/// and pinned authority the lifecycle itself uses (<see cref="EngineCredentials"/>).
/// </summary>
public sealed class InnerEngineReporter(InnerEngineRegistry registry, EngineCredentials credentials) : IInnerEngineListener
{
    public void EngineRunning(long serverId, string address)
    {
        var (client, authority) = credentials.ClientMaterial();
        registry.Register(serverId, EngineCredentials.InnerEndpoint(address), new InnerEngineCredentials(client, authority, EngineCredentials.ServerName(serverId)));
    }

    public void EngineGone(long serverId) => registry.Unregister(serverId);
}
