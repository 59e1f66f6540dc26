using System.Collections.Concurrent;
using System.Security.Cryptography;
using Berth.Core.Monitoring;
using Berth.Core.Servers;
using Berth.Docker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Core.Terminal;

/// <summary>
/// Checks, every <see cref="TerminalOptions.CheckInterval"/>, that a terminal's user may still use it:
/// returns the reason to end it, or null. Supplied by the host (it knows sessions and access).
/// </summary>
public delegate Task<string?> TerminalAccessCheck(TerminalSession session, CancellationToken cancellationToken);

/// <summary>
/// The open terminals of this Berth: starts shells (<c>bash -l</c> as root in <c>/apps</c>, with a TTY)
/// in servers' containers, finds one again for a browser that reconnects, and ends them — on request,
/// when the grace period or the idle timeout runs out, when the user's access ends, when the server
/// stops or is deleted, and when Berth stops. Ending a terminal kills every process it started in the
/// server: each carries <c>BERTH_TERMINAL=&lt;session id&gt;</c> in its environment, and a fixed script
/// (the id passed as an argument, never in the script) signals every process that still has it.
/// </summary>
public sealed partial class TerminalSessions(
    ServerContainers containers,
    ConnectionTickets tickets,
    IOptions<TerminalOptions> options,
    IContainerChangeFeed changes,
    TimeProvider time,
    ILogger<TerminalSessions> logger,
    TerminalAccessCheck? accessCheck = null)
    : BackgroundService, IServerLifecycleListener
{
    public const string Purpose = "terminal";
    public const string TagVariable = "BERTH_TERMINAL";

    /// <summary>
    /// Signals, in the server, every process whose environment holds <c>BERTH_TERMINAL=$1</c>: a hang-up
    /// first (a shell passes it to its jobs), then, a second later, a kill for what ignored it.
    /// </summary>
    internal const string KillScript = """
        tag="BERTH_TERMINAL=$1"
        sweep() {
          found=1
          for d in /proc/[0-9]*; do
            if tr '\0' '\n' < "$d/environ" 2>/dev/null | grep -qxF "$tag"; then
              kill -s "$1" "${d#/proc/}" 2>/dev/null && found=0
            fi
          done
          return $found
        }
        if sweep HUP; then sleep 1; sweep KILL; fi
        exit 0
        """;

    private readonly ConcurrentDictionary<string, TerminalSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);

    public TerminalOptions Options => options.Value;

    public ConnectionTickets Tickets => tickets;

    public int Count => _sessions.Count;

    /// <summary>The open terminals of a server (for tests and diagnostics).</summary>
    public IReadOnlyList<TerminalSession> OfServer(long serverId) => [.. _sessions.Values.Where(s => s.ServerId == serverId)];

    /// <summary>
    /// Starts a shell in the server's container at <paramref name="columns"/>×<paramref name="rows"/>;
    /// 409 when the server is not running, 429 when the user holds too many terminals.
    /// </summary>
    public async Task<TerminalSession> StartAsync(long userId, long serverId, long loginSessionId, int columns, int rows, CancellationToken cancellationToken)
    {
        if (_sessions.Values.Count(s => s.UserId == userId) >= options.Value.MaxSessionsPerUser)
        {
            throw Errors.BerthException.TooManyRequests("TERMINAL_LIMIT", $"At most {options.Value.MaxSessionsPerUser} terminals may be open at once; close one first.", TimeSpan.FromSeconds(5));
        }

        var container = await containers.FindAsync(serverId, cancellationToken);
        if (container is null || container.State != "running")
        {
            throw Errors.BerthException.Conflict("SERVER_NOT_RUNNING", "The server is not running; start it to open a terminal.");
        }

        var id = ConnectionTickets.Base64Url(RandomNumberGenerator.GetBytes(24));
        InteractiveExec exec;
        try
        {
            exec = await containers.Host.Containers.StartInteractiveAsync(
                container.Id,
                new InteractiveExecSpec(["bash", "-l"], columns, rows)
                {
                    User = "root",
                    WorkingDirectory = "/apps",
                    Environment = new Dictionary<string, string>
                    {
                        ["TERM"] = "xterm-256color",
                        ["LANG"] = "C.UTF-8",
                        ["LC_ALL"] = "C.UTF-8",
                        [TagVariable] = id,
                    },
                },
                cancellationToken);
        }
        catch (Exception e) when (DockerEngine.IsEngineFailure(e))
        {
            LogStartFailed(logger, serverId, e);
            throw Errors.BerthException.Conflict("SERVER_NOT_RUNNING", "The server's shell could not be started; is the server running?");
        }

        var session = new TerminalSession(id, userId, serverId, loginSessionId, exec, options.Value.ReplayBytes, time);
        _sessions[id] = session;
        _running[id] = Task.Run(() => RunAsync(session, container.Id), CancellationToken.None);
        LogOpened(logger, id, serverId, userId);
        return session;
    }

    /// <summary>The session a browser reconnects to: only its own user's, for the same server, while it lives.</summary>
    public TerminalSession? Find(string? id, long userId, long serverId) =>
        id is not null && _sessions.TryGetValue(id, out var session) && session.UserId == userId && session.ServerId == serverId && !session.Ended.IsCompleted
            ? session
            : null;

    /// <summary>Ends every terminal of a server (stopped, deleted) with <paramref name="reason"/>.</summary>
    public Task EndServerAsync(long serverId, string reason) =>
        Task.WhenAll(_sessions.Values.Where(s => s.ServerId == serverId).Select(s => s.EndAsync(reason)));

    /// <summary>Ends every terminal of a user (signed out, disabled).</summary>
    public Task EndUserAsync(long userId, string reason) =>
        Task.WhenAll(_sessions.Values.Where(s => s.UserId == userId).Select(s => s.EndAsync(reason)));

    public void Provisioned(long serverId, bool ready)
    {
    }

    public void Deleted(long serverId) => _ = EndServerAsync(serverId, TerminalEndReasons.ServerDeleted);

    /// <summary>Each terminal's reason is set at once (before the shell dies with the container); the goodbyes go out in the background.</summary>
    public void Stopping(long serverId, bool deleting) =>
        _ = EndServerAsync(serverId, deleting ? TerminalEndReasons.ServerDeleted : TerminalEndReasons.ServerStopped);

    /// <summary>Runs a session: output until the shell ends or the session is ended, then the clean-up.</summary>
    private async Task RunAsync(TerminalSession session, string containerId)
    {
        try
        {
            await PumpUntilExitAsync(session);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException || DockerEngine.IsEngineFailure(e))
        {
        }

        try
        {
            if (!session.Ended.IsCompleted)
            {
                // The shell closed its terminal: its exit code, unless the server itself went away.
                var container = await containers.FindAsync(session.ServerId, CancellationToken.None);
                if (container is null || container.State != "running")
                {
                    await session.EndAsync(TerminalEndReasons.ServerStopped);
                }
                else
                {
                    var code = await ExitCodeAsync(session);
                    await session.EndAsync("exit", TerminalEvents.Exit(code));
                }
            }

            await KillProcessesAsync(session, containerId);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || DockerEngine.IsEngineFailure(e))
        {
            LogCleanupFailed(logger, session.Id, e);
        }
        finally
        {
            await session.Exec.DisposeAsync();
            _sessions.TryRemove(session.Id, out _);
            _running.TryRemove(session.Id, out _);
            LogClosed(logger, session.Id, session.ServerId, session.Ended.IsCompleted ? await session.Ended : "");
        }
    }

    /// <summary>
    /// Copies output until the shell ends. The engine keeps the attached connection open while its
    /// input is (the browser's keystrokes), so the end of the output alone does not say the shell
    /// ended: the exec is asked every <see cref="ExitPollInterval"/>, and once it has ended the
    /// output left in flight gets a moment before the connection is dropped.
    /// </summary>
    private async Task PumpUntilExitAsync(TerminalSession session)
    {
        // Its own task: a read of the engine's connection may block its thread until output comes.
        var pump = Task.Run(session.PumpOutputAsync, CancellationToken.None);
        while (!pump.IsCompleted && !session.EndedToken.IsCancellationRequested)
        {
            try
            {
                await pump.WaitAsync(ExitPollInterval, time, session.EndedToken);
                break;
            }
            catch (TimeoutException)
            {
            }

            bool exited;
            try
            {
                exited = await session.Exec.ExitCodeAsync(session.EndedToken) is not null;
            }
            catch (Exception e) when (DockerEngine.IsEngineFailure(e))
            {
                exited = true;
            }

            if (exited)
            {
                // What the shell printed last is still on its way: a moment for it. The pending read
                // ends when the connection is disposed (the engine keeps it open while stdin is).
                await Task.WhenAny(pump, Task.Delay(ExitPollInterval, time, CancellationToken.None));
                break;
            }
        }

        if (pump.IsCompleted)
        {
            await pump;
        }
        else
        {
            // Still in a read the engine may never end by itself: it fails once the connection is disposed.
            _ = pump.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private static readonly TimeSpan ExitPollInterval = TimeSpan.FromSeconds(1);

    private async Task<long> ExitCodeAsync(TerminalSession session)
    {
        // The engine marks the exec ended a moment after its output closes.
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await session.Exec.ExitCodeAsync(CancellationToken.None) is { } code)
            {
                return code;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time);
        }

        return -1;
    }

    private async Task KillProcessesAsync(TerminalSession session, string containerId)
    {
        var container = await containers.FindAsync(session.ServerId, CancellationToken.None);
        if (container is null || container.State != "running" || container.Id != containerId)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15), time);
        await containers.Host.Containers.ExecAsync(containerId, ["sh", "-c", KillScript, "sh", session.Id], timeout.Token, user: "root");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var feed = changes.Subscribe(stoppingToken);
        var watch = WatchServersAsync(feed, stoppingToken);
        using var timer = new PeriodicTimer(options.Value.CheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await watch;
    }

    private async Task WatchServersAsync(System.Threading.Channels.ChannelReader<MonitorChange> feed, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in feed.ReadAllAsync(stoppingToken))
            {
                if (change.Kind == MonitorChangeKind.ServerStateChanged && change.State != "running" && change.State is not ("created" or "restarting"))
                {
                    await EndServerAsync(change.ServerId, change.State is "deleted" or "removed" ? TerminalEndReasons.ServerDeleted : TerminalEndReasons.ServerStopped);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var session in _sessions.Values)
        {
            string? reason = null;
            if (session.DetachedSince is { } since && now - since >= options.Value.GracePeriod)
            {
                reason = TerminalEndReasons.GraceExpired;
            }
            else if (now - session.LastActivity >= options.Value.IdleTimeout)
            {
                reason = TerminalEndReasons.Idle;
            }
            else if (accessCheck is not null)
            {
                try
                {
                    reason = await accessCheck(session, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCheckFailed(logger, session.Id, e);
                }
            }

            if (reason is not null)
            {
                await session.EndAsync(reason);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // No shell outlives Berth: each is ended and its processes killed before the host goes.
        await Task.WhenAll(_sessions.Values.Select(s => s.EndAsync(TerminalEndReasons.BerthStopping)));
        try
        {
            await Task.WhenAll(_running.Values).WaitAsync(TimeSpan.FromSeconds(20), time, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            LogStopTimedOut(logger, _running.Count);
        }

        await base.StopAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "Terminal {SessionId} opened on virtual server {ServerId} by user {UserId}")]
    private static partial void LogOpened(ILogger logger, string sessionId, long serverId, long userId);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Terminal {SessionId} on virtual server {ServerId} ended: {Reason}")]
    private static partial void LogClosed(ILogger logger, string sessionId, long serverId, string reason);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "A terminal could not be started on virtual server {ServerId}")]
    private static partial void LogStartFailed(ILogger logger, long serverId, Exception exception);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Warning, Message = "Ending the processes of terminal {SessionId} failed")]
    private static partial void LogCleanupFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Warning, Message = "Checking the access of terminal {SessionId} failed")]
    private static partial void LogCheckFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(EventId = 3405, Level = LogLevel.Warning, Message = "{Count} terminals were still ending when Berth stopped")]
    private static partial void LogStopTimedOut(ILogger logger, int count);
}
