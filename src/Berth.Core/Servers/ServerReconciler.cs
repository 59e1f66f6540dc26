using System.Collections.Concurrent;
using Berth.Core.Data;
using Berth.Core.Hosting;
using Berth.Docker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Servers;

/// <summary>
/// Makes the engine match the rows, at start and periodically: servers being created get their
/// container (or fail cleanly, leaving none); an enabled server whose container is missing is
/// re-created from its folders; a disabled server's running container is stopped; containers of
/// deleted servers are removed. Nothing here deletes a tenant's files.
/// Each server's work holds that server's lock, so it never races an API call. Nothing wakes it
/// early: start, stop and delete act on the engine themselves, and a new server is provisioned at
/// once when the API asks (<see cref="ProvisionNow"/>), not at the next pass, several side by side;
/// the passes catch what happened behind Berth's back (a killed container, a restart).
/// </summary>
public sealed partial class ServerReconciler(
    IDbContextFactory<BerthDbContext> contexts,
    ServerContainers containers,
    ServerLocks locks,
    ServersOptions options,
    TimeProvider clock,
    IEnumerable<IServerLifecycleListener> lifecycleListeners,
    ILogger<ServerReconciler> logger) : ReconcileLoop(options.ReconcileInterval, clock)
{
    private readonly IServerLifecycleListener[] _lifecycleListeners = [.. lifecycleListeners];
    private readonly ConcurrentDictionary<long, Task> _provisioning = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Starts creating server <paramref name="id"/>'s container now, on its own; returns at once.
    /// A server already being provisioned is left to that run.
    /// </summary>
    public void ProvisionNow(long id) => _ = ProvisionTrackedAsync(id);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_provisioning.Values).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }

    protected override Task RunPassAsync(CancellationToken cancellationToken) => ReconcileOnceAsync(cancellationToken);

    protected override void OnPassFailed(Exception exception)
    {
        // The engine being down is a state the operator can act on, said in one line; anything else keeps its stack trace.
        if (DockerEngine.IsEngineFailure(exception))
        {
            LogEngineUnavailable(logger, exception.Message);
        }
        else
        {
            LogPassFailed(logger, exception);
        }
    }

    /// <summary>One full pass; public so that tests and `berth` commands can run it directly.</summary>
    public async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        var live = await containers.ListAsync(cancellationToken);
        List<(VirtualServer Server, ServerSettings? Settings)> rows;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var servers = await db.VirtualServers.Where(s => s.Id != VirtualServer.HostId).ToListAsync(cancellationToken);
            var settings = await db.ServerSettings.ToDictionaryAsync(s => s.ServerId, cancellationToken);
            rows = servers.Select(s => (s, settings.GetValueOrDefault(s.Id))).ToList();
        }

        ReportEngines(rows, live);

        var provisioning = new List<Task>();
        foreach (var (server, settings) in rows)
        {
            if (!server.Deleted && settings?.Provisioning == ProvisioningState.Creating)
            {
                // Normally under way since the API call; after a restart, this pass starts it.
                provisioning.Add(ProvisionTrackedAsync(server.Id));
                continue;
            }

            try
            {
                await ReconcileServerAsync(server, settings, live.GetValueOrDefault(server.Id), cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogServerFailed(logger, server.Id, e);
            }
        }

        // A pass is complete when the creations it met are.
        await Task.WhenAll(provisioning).WaitAsync(cancellationToken);
    }

    /// <summary>The one provisioning run of server <paramref name="id"/>: joins the run under way or starts one; never throws.</summary>
    private Task ProvisionTrackedAsync(long id)
    {
        var run = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_provisioning.TryAdd(id, run.Task))
        {
            return _provisioning.TryGetValue(id, out var existing) ? existing : ProvisionTrackedAsync(id);
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await ProvisionAsync(id, _stopping.Token);
            }
            catch (Exception e) when (!_stopping.IsCancellationRequested)
            {
                LogServerFailed(logger, id, e);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                // Stopping: the row stays "creating" and the next start provisions it.
            }
            finally
            {
                _provisioning.TryRemove(id, out _);
                run.SetResult();
            }
        });
        return run.Task;
    }

    private async Task ReconcileServerAsync(VirtualServer server, ServerSettings? settings, ServerContainer? container, CancellationToken cancellationToken)
    {
        if (server.Deleted)
        {
            if (container is not null)
            {
                using (await locks.AcquireAsync(server.Id, cancellationToken))
                {
                    LogRemovingDeleted(logger, server.Id);
                    await containers.RemoveAsync(server.Id, cancellationToken);
                }
            }

            return;
        }

        if (settings?.Provisioning == ProvisioningState.Failed || server.OwnerId == 0 && settings is null)
        {
            // Failed creations wait for their owner to delete them; ownerless adopted rows for an admin.
            return;
        }

        var running = container?.State == "running";
        if (server.Enabled && !running)
        {
            using (await locks.AcquireAsync(server.Id, cancellationToken))
            {
                if (container is null)
                {
                    LogRecreating(logger, server.Id);
                    await containers.CreateAndStartAsync(server.Id, settings is null ? ResourceLimits.None : ServerContainers.LimitsOf(settings), cancellationToken);
                }
                else
                {
                    LogStarting(logger, server.Id, container.State);
                    await containers.StartAsync(server.Id, cancellationToken);
                }
            }
        }
        else if (!server.Enabled && running)
        {
            using (await locks.AcquireAsync(server.Id, cancellationToken))
            {
                LogStopping(logger, server.Id);
                await containers.StopAsync(server.Id, cancellationToken);
            }
        }
    }

    private async Task ProvisionAsync(long id, CancellationToken cancellationToken)
    {
        using var _ = await locks.AcquireAsync(id, cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var settings = await db.ServerSettings.FindAsync([id], cancellationToken);
        if (settings is null || settings.Provisioning != ProvisioningState.Creating)
        {
            return;
        }

        var started = Clock.GetTimestamp();
        try
        {
            // A crash between writing the row and here may have left a container: creation replaces it.
            await containers.CreateAndStartAsync(id, ServerContainers.LimitsOf(settings), cancellationToken);
            settings.Provisioning = ProvisioningState.Ready;
            settings.LastError = "";
            var elapsed = Clock.GetElapsedTime(started);
            LogCreated(logger, id, elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogCreateFailed(logger, id, e);
            try
            {
                await containers.RemoveAsync(id, cancellationToken);
            }
            catch (Exception cleanup) when (!cancellationToken.IsCancellationRequested)
            {
                LogServerFailed(logger, id, cleanup);
            }

            settings.Provisioning = ProvisioningState.Failed;
            settings.LastError = $"The server's container could not be started: {e.Message}";
            var server = await db.VirtualServers.FindAsync([id], cancellationToken);
            if (server is not null)
            {
                server.Enabled = false;
            }
        }

        settings.UpdatedAt = SeedTime.Now(Clock);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var listener in _lifecycleListeners)
        {
            listener.Provisioned(id, settings.Provisioning == ProvisioningState.Ready);
        }
    }

    [LoggerMessage(EventId = 3208, Level = LogLevel.Warning, Message = "Reconciling virtual servers waits for the Docker engine ({Reason}); retrying on the next pass")]
    private static partial void LogEngineUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning, Message = "Reconciling virtual servers failed; retrying on the next pass")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Reconciling virtual server {ServerId} failed")]
    private static partial void LogServerFailed(ILogger logger, long serverId, Exception exception);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Information, Message = "Virtual server {ServerId} created in {Milliseconds:0} ms")]
    private static partial void LogCreated(ILogger logger, long serverId, double milliseconds);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Creating virtual server {ServerId} failed; its container was removed")]
    private static partial void LogCreateFailed(ILogger logger, long serverId, Exception exception);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Information, Message = "Virtual server {ServerId} is enabled but its container is missing: re-creating it from its folders")]
    private static partial void LogRecreating(ILogger logger, long serverId);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Information, Message = "Virtual server {ServerId} is enabled but its container is {State}: starting it")]
    private static partial void LogStarting(ILogger logger, long serverId, string state);

    [LoggerMessage(EventId = 3206, Level = LogLevel.Information, Message = "Virtual server {ServerId} is disabled but its container runs: stopping it")]
    private static partial void LogStopping(ILogger logger, long serverId);

    [LoggerMessage(EventId = 3207, Level = LogLevel.Information, Message = "Removing the container of deleted virtual server {ServerId}")]
    private static partial void LogRemovingDeleted(ILogger logger, long serverId);
}
