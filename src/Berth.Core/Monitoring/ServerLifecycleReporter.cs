using Berth.Core.Servers;

namespace Berth.Core.Monitoring;

/// <summary>
/// Puts the end of a server's creation on the change feed as a <see cref="MonitorChangeKind.ServerStateChanged"/>
/// with the API's state (<c>running</c> or <c>failed</c>): the container itself was running well before
/// its engine answered, so the container's own events do not mark that moment.
/// </summary>
public sealed class ProvisioningReporter(ContainerChangeFeed feed, TimeProvider time) : IServerProvisioningListener
{
    public void Provisioned(long serverId, bool ready) =>
        feed.Publish(new MonitorChange(
            MonitorChangeKind.ServerStateChanged,
            serverId,
            VirtualServer.HostId,
            "",
            ServerContainers.ContainerName(serverId),
            ready ? "running" : "failed",
            ready ? "" : "creation failed",
            time.GetUtcNow()));
}
