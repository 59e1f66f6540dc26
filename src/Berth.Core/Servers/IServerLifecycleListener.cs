namespace Berth.Core.Servers;

/// <summary>
/// Told when a new server's creation has ended, after its row says so: <c>running</c> (its engine
/// answers) or <c>failed</c>. Live views (the event streams, the panel) learn of it at once instead of
/// polling. Calls are cheap and never throw.
/// </summary>
public interface IServerProvisioningListener
{
    void Provisioned(long serverId, bool ready);
}
