using System.Security.Cryptography.X509Certificates;
using Berth.Core.Data;
using Berth.Core.Domains;
using Berth.Core.Hosting;
using Berth.Core.Servers;
using Berth.Docker;
using Berth.Proxy;
using Berth.Server.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Berth.Server.Edge;

/// <summary>
/// Keeps the edge's routes equal to the domain names of live virtual servers: rebuilt when
/// <see cref="EdgeRoutesSignal"/> is requested (a domain changed) and every few seconds (servers
/// start, stop and move). A route goes to the domain's target port (80 unless its owner named another) of its server's container on the servers' network;
/// a name whose server has no address (stopped, deleted, engine down) is left out, so the edge
/// answers it with its "no application" page; so is a name still waiting for its owner's proof of
/// control (<see cref="Berth.Core.Domains.Verification.DomainVerifier"/>). Nothing here stops <c>berth serve</c>.
/// </summary>
public sealed partial class EdgeRouteReconciler(
    IDbContextFactory<BerthDbContext> contexts,
    ServerContainers containers,
    EdgeRuntime edge,
    EdgeRoutesSignal signal,
    Berth.Core.Domains.Verification.DomainVerifier verification,
    EdgeSettings settings,
    TimeProvider clock,
    ILogger<EdgeRouteReconciler> logger) : ReconcileLoop(settings.RoutesInterval, clock, signal)
{
    private readonly Dictionary<string, X509Certificate2> _originCertificates = new(StringComparer.Ordinal);
    private EdgeRoute[] _applied = [];
    private bool _engineDown;

    protected override Task RunPassAsync(CancellationToken cancellationToken) => ReconcileOnceAsync(cancellationToken);

    protected override void OnPassFailed(Exception exception) => LogPassFailed(logger, exception);

    /// <summary>One pass: reads the domains and the servers' addresses, and applies the routes if they changed.</summary>
    public async Task ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        List<(string Name, long ServerId, bool Ssl, bool IsCloudflare, bool OriginPulls, int TargetPort)> domains;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            domains = (await (
                from domain in db.DomainNames
                join server in db.VirtualServers on domain.VirtualServerId equals server.Id
                where !server.Deleted && server.Id != VirtualServer.HostId
                orderby domain.Id
                select new
                {
                    domain.Name,
                    domain.VirtualServerId,
                    domain.Ssl,
                    domain.IsCloudflare,
                    OriginPulls = db.DomainOptions.Any(o => o.DomainId == domain.Id && o.OriginPulls),
                    TargetPort = db.DomainOptions.Where(o => o.DomainId == domain.Id).Select(o => (int?)o.TargetPort).FirstOrDefault(),
                    Verified = db.DomainVerifications.Any(v => v.DomainId == domain.Id && v.DomainName == domain.Name && v.Status == Berth.Core.Domains.Verification.VerificationStatus.Verified),
                }).ToListAsync(cancellationToken))
                // A name whose owner has not proved control gets no route (it could be someone else's).
                .Where(d => verification.MayGoLive(d.Name, d.Verified))
                .Select(d => (d.Name, d.VirtualServerId, d.Ssl, d.IsCloudflare, d.OriginPulls, d.TargetPort ?? DomainOptions.DefaultTargetPort))
                .ToList();
        }

        Dictionary<long, ServerContainer> live;
        try
        {
            live = domains.Count == 0 ? [] : await containers.ListAsync(cancellationToken);
            _engineDown = false;
        }
        catch (Exception e) when (DockerEngine.IsEngineFailure(e) || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Without the engine no server can be reached: publish no route rather than stale addresses.
            if (!_engineDown)
            {
                LogEngineUnreachable(logger, e.Message);
            }

            _engineDown = true;
            live = [];
        }

        var routes = new List<EdgeRoute>(domains.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (rawName, serverId, ssl, isCloudflare, originPulls, targetPort) in domains)
        {
            var name = rawName.Trim().ToLowerInvariant();
            if (!IsHostName(name) || !seen.Add(name))
            {
                LogSkippedName(logger, rawName, serverId);
                continue;
            }

            if (!live.TryGetValue(serverId, out var container) || container.State != "running" || container.Address is null)
            {
                continue;
            }

            var mode = isCloudflare ? EdgeTlsMode.CloudflareOrigin : ssl ? EdgeTlsMode.Acme : EdgeTlsMode.Plain;
            // HTTP redirects to HTTPS only once the edge can serve the name's certificate.
            var issued = mode == EdgeTlsMode.Acme && edge.Certificates.Contains(name);
            // Origin pulls: only Cloudflare connections with a certificate from the operator's CA bundle.
            // Without a bundle the edge refuses the name rather than serve it to any Cloudflare customer.
            routes.Add(new EdgeRoute(name, new Uri(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"http://{container.Address}:{targetPort}/")), mode, issued, RequireClientCertificate: isCloudflare && originPulls));
        }

        UpdateOriginCertificates(routes);
        if (!routes.SequenceEqual(_applied))
        {
            edge.Routes.Apply(routes);
            _applied = [.. routes];
            LogApplied(logger, routes.Count, domains.Count);
        }
    }

    /// <summary>Hosts in Cloudflare mode get a self-signed origin certificate each, made once.</summary>
    private void UpdateOriginCertificates(List<EdgeRoute> routes)
    {
        var cache = edge.Certificates;
        var wanted = routes.Where(r => r.Mode == EdgeTlsMode.CloudflareOrigin).Select(r => r.Host).ToHashSet(StringComparer.Ordinal);
        foreach (var host in wanted)
        {
            if (!_originCertificates.ContainsKey(host))
            {
                // The ACME certificate of a name that moved to Cloudflare mode makes way for the origin certificate.
                var certificate = OriginCertificate.CreateSelfSigned([host], Clock);
                cache.Set(host, certificate);
                _originCertificates[host] = certificate;
            }
        }

        foreach (var host in _originCertificates.Keys.Where(h => !wanted.Contains(h)).ToList())
        {
            _originCertificates.Remove(host, out var old);
            if (old is not null)
            {
                cache.Remove(host, old);
            }

            old?.Dispose();
        }
    }

    private static bool IsHostName(string name) =>
        name.Length is > 0 and <= 253 && Uri.CheckHostName(name) == UriHostNameType.Dns;

    [LoggerMessage(EventId = 6100, Level = LogLevel.Warning, Message = "Rebuilding the edge's routes failed; retrying on the next pass")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Edge routes rebuilt: {Routes} of {Domains} domain names reachable")]
    private static partial void LogApplied(ILogger logger, int routes, int domains);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "The Docker engine does not answer ({Reason}); the edge publishes no route until it does")]
    private static partial void LogEngineUnreachable(ILogger logger, string reason);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Domain name '{Name}' of server {ServerId} is not a usable host name or appears twice; left out of the edge")]
    private static partial void LogSkippedName(ILogger logger, string name, long serverId);
}
