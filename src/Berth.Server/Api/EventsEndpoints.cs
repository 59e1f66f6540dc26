using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Json;
using System.Threading.Channels;
using Berth.Core.Data;
using Berth.Core.Monitoring;
using Berth.Core.Servers;
using Berth.Server.Authentication;
using Berth.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Berth.Server.Api;

/// <summary>The data of a <c>container</c>, <c>container-removed</c>, <c>server</c> or <c>resync</c> event.</summary>
public sealed record LiveChange(long ServerId, long ParentServerId, string? DockerId, string? Name, string? State, string? Status, DateTimeOffset At);

/// <summary>
/// Live container and server changes as server-sent events, from the monitor's change feed,
/// filtered per server: a user receives changes of their own servers only, an admin everything.
/// The documented format is in docs/servers.md.
/// </summary>
internal static class EventsEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapEventsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/servers/{id:long}/events", ServerEventsAsync).WithName("StreamServerEvents").WithTags("Servers")
            .RequireAuthorization(AuthenticationFeature.UserPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/events", AllEventsAsync).WithName("StreamEvents").WithTags("Servers")
            .RequireAuthorization(AuthenticationFeature.UserPolicy).SpansServers()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    /// <summary>Changes of one server (owner or admin; anyone else gets the missing server's 404).</summary>
    private static async Task<ServerSentEventsResult<string>> ServerEventsAsync(
        long id, ClaimsPrincipal principal, ServersService servers, IContainerChangeFeed feed, IOptions<EventStreamOptions> options,
        IHostApplicationLifetime lifetime, TimeProvider time, HttpContext http, CancellationToken cancellationToken)
    {
        await servers.EnsureVisibleAsync(principal.UserId(), principal.IsInRole(CurrentUser.AdminRole), id, cancellationToken);
        var changes = Subscribe(feed, http, lifetime);
        return Stream(changes, c => ValueTask.FromResult(c.ServerId == id || IsHostResync(c)), options.Value.HeartbeatInterval, time, http);
    }

    /// <summary>Changes of every server the caller may see: an admin's stream carries all of them, host containers included.</summary>
    private static ServerSentEventsResult<string> AllEventsAsync(
        ClaimsPrincipal principal, IContainerChangeFeed feed, IDbContextFactory<BerthDbContext> contexts, IOptions<EventStreamOptions> options,
        IHostApplicationLifetime lifetime, TimeProvider time, HttpContext http)
    {
        var changes = Subscribe(feed, http, lifetime);
        if (principal.IsInRole(CurrentUser.AdminRole))
        {
            return Stream(changes, _ => ValueTask.FromResult(true), options.Value.HeartbeatInterval, time, http);
        }

        var owner = new OwnedServers(contexts, principal.UserId());
        return Stream(changes, c => IsHostResync(c) ? ValueTask.FromResult(true) : owner.OwnsAsync(c.ServerId, http.RequestAborted), options.Value.HeartbeatInterval, time, http);
    }

    /// <summary>
    /// Subscribes now, before the response starts, so that nothing between this call and the first
    /// event is lost. The subscription ends when the client leaves, the response completes or Berth stops.
    /// </summary>
    private static ChannelReader<MonitorChange> Subscribe(IContainerChangeFeed feed, HttpContext http, IHostApplicationLifetime lifetime)
    {
        var end = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        http.Response.OnCompleted(() =>
        {
            end.Cancel();
            end.Dispose();
            return Task.CompletedTask;
        });
        return feed.Subscribe(end.Token);
    }

    private static ServerSentEventsResult<string> Stream(
        ChannelReader<MonitorChange> changes, Func<MonitorChange, ValueTask<bool>> allowed, TimeSpan heartbeat, TimeProvider time, HttpContext http)
    {
        // Reverse proxies must pass events on as they come, not buffer the response.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(EventsAsync(changes, allowed, heartbeat, time, http.RequestAborted));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(
        ChannelReader<MonitorChange> changes, Func<MonitorChange, ValueTask<bool>> allowed, TimeSpan heartbeat, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return new SseItem<string>(JsonSerializer.Serialize(new { at = time.GetUtcNow(), heartbeatSeconds = heartbeat.TotalSeconds }, Json), "ready");
        using var beat = new PeriodicTimer(heartbeat, time);
        Task<bool>? data = null;
        Task<bool>? tick = null;
        while (true)
        {
            // The channel completes when the subscription ends, so waiting on it needs no token.
            data ??= changes.WaitToReadAsync(CancellationToken.None).AsTask();
            tick ??= TickAsync(beat, cancellationToken);
            await Task.WhenAny(data, tick);
            if (data.IsCompleted)
            {
                if (!await data)
                {
                    yield break;
                }

                data = null;
                while (changes.TryRead(out var change))
                {
                    if (await allowed(change))
                    {
                        yield return ToItem(change);
                    }
                }
            }

            if (tick.IsCompleted)
            {
                if (!await tick)
                {
                    yield break;
                }

                tick = null;
                yield return new SseItem<string>(JsonSerializer.Serialize(new { at = time.GetUtcNow() }, Json), "heartbeat");
            }
        }
    }

    private static async Task<bool> TickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static bool IsHostResync(MonitorChange change) =>
        change is { Kind: MonitorChangeKind.EngineResynced, ServerId: VirtualServer.HostId };

    private static SseItem<string> ToItem(MonitorChange change)
    {
        var type = change.Kind switch
        {
            MonitorChangeKind.ContainerUpdated => "container",
            MonitorChangeKind.ContainerRemoved => "container-removed",
            MonitorChangeKind.ServerStateChanged => "server",
            _ => "resync",
        };
        var data = change.Kind == MonitorChangeKind.EngineResynced
            ? new LiveChange(change.ServerId, change.ParentServerId, null, null, null, null, change.At)
            : new LiveChange(change.ServerId, change.ParentServerId, change.DockerId, change.Name, change.State, change.Status, change.At);
        return new SseItem<string>(JsonSerializer.Serialize(data, Json), type);
    }

    /// <summary>
    /// Which servers a user owns, asked once per server id: ids are never reused and a server never
    /// changes owner, so an answer stays true for the life of the stream.
    /// </summary>
    private sealed class OwnedServers(IDbContextFactory<BerthDbContext> contexts, long userId)
    {
        private readonly Dictionary<long, bool> _known = [];

        public async ValueTask<bool> OwnsAsync(long serverId, CancellationToken cancellationToken)
        {
            if (serverId == VirtualServer.HostId)
            {
                return false;
            }

            if (!_known.TryGetValue(serverId, out var owns))
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                owns = await db.VirtualServers.AnyAsync(s => s.Id == serverId && s.OwnerId == userId, cancellationToken);
                _known[serverId] = owns;
            }

            return owns;
        }
    }
}
