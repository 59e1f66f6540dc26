namespace Berth.Core.Servers;

public sealed partial class ServerReconciler
{
    /// <summary>
    /// Each pass tells the engine listeners what the host engine shows, so that servers already
    /// running when Berth starts (restart policy) are watched, and a server whose container died
    /// is let go. Servers being created are left to the creation, which reports them once their
    /// engine answers: reported earlier, a watcher would fail against an engine still starting.
    /// </summary>
    private void ReportEngines(IEnumerable<(VirtualServer Server, ServerSettings? Settings)> rows, Dictionary<long, ServerContainer> live)
    {
        foreach (var (server, settings) in rows)
        {
            if (settings?.Provisioning == ProvisioningState.Creating)
            {
                continue;
            }

            if (!server.Deleted && live.GetValueOrDefault(server.Id) is { State: "running", Address: { } address })
            {
                containers.ReportRunning(server.Id, address);
            }
            else
            {
                containers.ReportGone(server.Id);
            }
        }
    }
}
