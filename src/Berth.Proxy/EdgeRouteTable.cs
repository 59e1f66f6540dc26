using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Berth.Proxy.Origins;
using Microsoft.Extensions.Logging;

namespace Berth.Proxy;

/// <summary>
/// Immutable snapshots of the routes, swapped with one reference write. A request reads the snapshot
/// once, so a swap never changes the route under a request in flight. Lookup is one dictionary probe
/// on the header's characters (no string is allocated for the host).
/// </summary>
internal sealed class EdgeRouteTable(ILogger<EdgeRouteTable> logger, TimeProvider timeProvider) : IEdgeRouteTable
{
    private volatile Snapshot _current = Snapshot.Empty;

    public int Count => _current.Count;

    public void Apply(IReadOnlyList<EdgeRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var started = timeProvider.GetTimestamp();
        var entries = new Dictionary<string, RouteEntry>(routes.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var route in routes)
        {
            ArgumentNullException.ThrowIfNull(route);
            var host = HostName.Normalize(route.Host ?? string.Empty);
            if (host.Length == 0)
            {
                throw new ArgumentException("A route has an empty host.", nameof(routes));
            }

            var destination = route.Destination;
            if (destination is null || !destination.IsAbsoluteUri
                || (destination.Scheme != Uri.UriSchemeHttp && destination.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"The destination of '{host}' is not an absolute http or https URI.", nameof(routes));
            }

            if (!entries.TryAdd(host, new RouteEntry(route, destination)))
            {
                throw new ArgumentException($"The host '{host}' appears more than once.", nameof(routes));
            }
        }

        _current = new Snapshot(entries);
        Log.RoutesApplied(logger, entries.Count, timeProvider.GetElapsedTime(started).TotalMilliseconds);
    }

    public bool TryFind(ReadOnlySpan<char> hostHeader, [NotNullWhen(true)] out EdgeRoute? route)
    {
        if (TryFindEntry(hostHeader, out var entry))
        {
            route = entry.Route;
            return true;
        }

        route = null;
        return false;
    }

    public bool TryFindEntry(ReadOnlySpan<char> hostHeader, [NotNullWhen(true)] out RouteEntry? entry) =>
        _current.Lookup.TryGetValue(HostName.FromHeader(hostHeader), out entry);

    private sealed class Snapshot(Dictionary<string, RouteEntry> entries)
    {
        public static readonly Snapshot Empty = new(new Dictionary<string, RouteEntry>(StringComparer.OrdinalIgnoreCase));

        public Dictionary<string, RouteEntry>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } =
            entries.GetAlternateLookup<ReadOnlySpan<char>>();

        public int Count => entries.Count;
    }
}

/// <summary>A route with what the request path needs precomputed.</summary>
[DebuggerDisplay("{Route.Host} -> {DestinationPrefix}")]
internal sealed class RouteEntry(EdgeRoute route, Uri destination)
{
    public EdgeRoute Route { get; } = route;

    public string DestinationPrefix { get; } = destination.GetLeftPart(UriPartial.Path);

    /// <summary>The origin's address when the edge's own HTTP/1.1 path can serve it: plain HTTP to an IP address, no path prefix.</summary>
    public IPEndPoint? OriginEndPoint { get; } =
        destination.Scheme == Uri.UriSchemeHttp && destination.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
        && destination.AbsolutePath == "/" && destination.Query.Length == 0
            ? new IPEndPoint(IPAddress.Parse(destination.DnsSafeHost), destination.Port)
            : null;

    /// <summary>The connection pool of <see cref="OriginEndPoint"/>, looked up on the route's first request.</summary>
    public OriginPool? OriginPool { get; set; }

    public bool IsCloudflare { get; } = route.Mode == EdgeTlsMode.CloudflareOrigin;

    public bool RedirectsToHttps { get; } = route.Mode == EdgeTlsMode.Acme && route.CertificateIssued;

    public bool RequiresClientCertificate { get; } = route.RequireClientCertificate;
}
