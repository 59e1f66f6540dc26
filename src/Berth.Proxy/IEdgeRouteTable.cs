namespace Berth.Proxy;

/// <summary>The set of routes the edge serves, replaced as a whole.</summary>
public interface IEdgeRouteTable
{
    /// <summary>The number of routes in the current snapshot.</summary>
    int Count { get; }

    /// <summary>
    /// Replaces every route at once. The new snapshot is used by the next request; requests already in
    /// flight finish against the snapshot they started with. Nothing is restarted.
    /// </summary>
    /// <exception cref="ArgumentException">A host is empty or appears twice, or a destination is not an absolute http(s) URI.</exception>
    void Apply(IReadOnlyList<EdgeRoute> routes);

    /// <summary>Finds the route for a <c>Host</c> header value (any case, with or without port).</summary>
    bool TryFind(ReadOnlySpan<char> hostHeader, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EdgeRoute? route);
}
