using System.Net;
using Berth.Core.Data;
using Berth.Core.Hosting;
using Berth.Core.Monitoring;
using Berth.Core.Servers;
using Berth.Docker;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Core.Forwards;

/// <summary>
/// Keeps the open public ports equal to the forwards of running servers: woken by
/// <see cref="ForwardsSignal"/> (a forward changed, a server stopped, started or was deleted through
/// Berth) and every <see cref="ForwardsOptions.ReconcileInterval"/> (servers stopped or moved
/// elsewhere). The target is always the server container's address on the servers' network, read
/// from the engine; a forward whose server is not running has no listener, so connections to it are
/// refused. At start the first pass opens every forward again: nothing else restores them.
/// </summary>
public sealed class ForwardReconciler(
    IDbContextFactory<BerthDbContext> contexts,
    ServerContainers containers,
    ForwardListeners listeners,
    ForwardsSignal signal,
    IOptions<ForwardsOptions> options,
    TimeProvider clock,
    ILogger<ForwardReconciler> logger,
    IContainerChangeFeed? feed = null) : ReconcileLoop(options.Value.ReconcileInterval, clock, signal)
{
    private bool _engineDown;

    protected override Task RunPassAsync(CancellationToken cancellationToken) => ReconcileOnceAsync(cancellationToken);

    protected override void OnPassFailed(Exception exception) => Log.PassFailed(logger, exception);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(base.ExecuteAsync(stoppingToken), WatchServersAsync(stoppingToken));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Berth stopping closes its public ports; the next start opens them again from the table.
        listeners.Apply([]);
    }

    /// <summary>A server container that started, stopped or went away (the monitor saw it): a pass now.</summary>
    private async Task WatchServersAsync(CancellationToken stoppingToken)
    {
        if (feed is null)
        {
            return;
        }

        try
        {
            await foreach (var change in feed.Subscribe(stoppingToken).ReadAllAsync(stoppingToken))
            {
                if (change.Kind is MonitorChangeKind.ServerStateChanged or MonitorChangeKind.EngineResynced && change.ParentServerId == VirtualServer.HostId)
                {
                    signal.Request();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One pass: reads the forwards and the servers' addresses, and opens or closes listeners.</summary>
    public async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        List<(long Id, long ServerId, int PublicPort, int InternalPort, string ProxyProtocol)> forwards;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            forwards = (await (
                from forward in db.PortForwards.AsNoTracking()
                join server in db.VirtualServers on forward.VirtualServerId equals server.Id
                where !server.Deleted && server.Id != VirtualServer.HostId
                orderby forward.Id
                select new { forward.Id, forward.VirtualServerId, forward.PublicPort, forward.InternalPort, forward.ProxyProtocol }).ToListAsync(cancellationToken))
                .Select(f => (f.Id, f.VirtualServerId, f.PublicPort, f.InternalPort, f.ProxyProtocol))
                .ToList();
        }

        Dictionary<long, ServerContainer> live;
        try
        {
            // No forwards, no engine call: an installation without forwards pays nothing.
            live = forwards.Count == 0 ? [] : await containers.ListAsync(cancellationToken);
            _engineDown = false;
        }
        catch (Exception e) when (DockerEngine.IsEngineFailure(e) || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Without the engine no address is known to be right: carry nothing rather than to a stale address.
            if (!_engineDown)
            {
                Log.EngineUnreachable(logger, e.Message);
            }

            _engineDown = true;
            live = [];
        }

        var pool = options.Value;
        var wanted = new List<ForwardTarget>(forwards.Count);
        foreach (var (id, serverId, publicPort, internalPort, proxyProtocol) in forwards)
        {
            if (!pool.InPool(publicPort) || internalPort is < 1 or > 65535)
            {
                // A row from before the pool was narrowed (or an adopted one): kept, not opened.
                continue;
            }

            if (live.TryGetValue(serverId, out var container) && container.State == "running"
                && IPAddress.TryParse(container.Address, out var address) && !IPAddress.IsLoopback(address))
            {
                // A stored name Berth did not write (an edited row) carries nothing extra rather than failing the pass.
                var header = ForwardRules.TryParseProxyProtocol(proxyProtocol, out var version) ? version : ProxyProtocolVersion.Off;
                wanted.Add(new ForwardTarget(id, serverId, publicPort, new IPEndPoint(address, internalPort), header));
            }
        }

        var applied = listeners.Apply(wanted);
        if (applied.Opened + applied.Closed > 0)
        {
            Log.Applied(logger, wanted.Count, forwards.Count, applied.Opened, applied.Closed);
        }
    }
}
