using Berth.Core.Servers;

namespace Berth.Core.Monitoring;

/// <summary>
/// Puts the moments of a server's life that its container's events do not mark on the change feed as
/// <see cref="MonitorChangeKind.ServerStateChanged"/> with the API's state: <c>running</c> or <c>failed</c>
/// at the end of its creation (the container itself was running well before its engine answered), and
/// <c>deleted</c> once its row is gone from every list (the container's removal came first).
/// </summary>
public sealed class ServerLifecycleReporter(ContainerChangeFeed feed, TimeProvider time) : IServerLifecycleListener
{
    public void Provisioned(long serverId, bool ready) =>
        Publish(serverId, ready ? "running" : "failed", ready ? "" : "creation failed");

    public void Deleted(long serverId) => Publish(serverId, "deleted", "deleted");

    private void Publish(long serverId, string state, string status) =>
        feed.Publish(new MonitorChange(
            MonitorChangeKind.ServerStateChanged,
            serverId,
            VirtualServer.HostId,
            "",
            ServerContainers.ContainerName(serverId),
            state,
            status,
            time.GetUtcNow()));
}
