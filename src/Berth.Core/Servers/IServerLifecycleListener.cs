namespace Berth.Core.Servers;

/// <summary>
/// Told of the moments of a server's life that its container's own events do not mark, after the
/// server's row says so: a new server's creation has ended (<c>running</c>, its engine answers, or
/// <c>failed</c>), and a server was deleted (its row is marked deleted; the container's removal came
/// before that, so a view reloading on the container event could still find the row). Live views (the
/// event streams, the panel) learn of both at once instead of polling. Calls are cheap and never throw.
/// </summary>
public interface IServerLifecycleListener
{
    void Provisioned(long serverId, bool ready);

    void Deleted(long serverId);

    /// <summary>
    /// The server's container is about to be stopped (<paramref name="deleting"/>: removed) on request,
    /// before its processes die: what runs inside it (terminals) can say why it ends.
    /// </summary>
    void Stopping(long serverId, bool deleting)
    {
    }
}
