namespace Berth.Core.Servers;

/// <summary>
/// Told by the server lifecycle when a virtual server's inner engine answers and when it goes away
/// (stopped, removed, failed), so that whoever watches inner engines (the container monitor) needs
/// nothing from the lifecycle's internals. Calls are cheap, idempotent and never throw; they may
/// repeat the same news (every reconciler pass reports every running server).
/// </summary>
public interface IInnerEngineListener
{
    /// <summary>The engine of <paramref name="serverId"/> runs in its container at <paramref name="address"/> (on the servers' network).</summary>
    void EngineRunning(long serverId, string address);

    /// <summary>The engine of <paramref name="serverId"/> is gone or about to go.</summary>
    void EngineGone(long serverId);
}
