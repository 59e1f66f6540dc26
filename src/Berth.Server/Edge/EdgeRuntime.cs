using Berth.Proxy;
using Berth.Server.Hosting;

namespace Berth.Server.Edge;

/// <summary>
/// Runs the edge (<see cref="EdgeHost"/>) on its own listeners for as long as <c>berth serve</c> runs:
/// started with the other hosted services, stopped with them.
/// </summary>
public sealed class EdgeRuntime(
    EdgeSettings settings, IAcmeChallengeResponder challenges, EdgeCertificateCache certificates, ILoggerFactory loggers, TimeProvider clock) : IHostedService, IAsyncDisposable
{
    private EdgeHost? _host;

    /// <summary>The running edge; null before start and after stop.</summary>
    public EdgeHost? Host => _host;

    /// <summary>The route table, once the edge runs.</summary>
    public IEdgeRouteTable Routes => (_host ?? throw new InvalidOperationException("The edge is not running.")).Routes;

    /// <summary>The certificate cache used for TLS handshakes; shared with Berth's services, so it is filled before the edge starts.</summary>
    public EdgeCertificateCache Certificates => certificates;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _host = await EdgeHost.StartAsync(
            options => EdgeFeature.Configure(options, settings),
            services =>
            {
                services.AddSingleton(loggers);
                services.AddSingleton(clock);
                services.AddSingleton(challenges);
                services.AddSingleton(certificates);
            },
            cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _host, null) is { } host)
        {
            await host.DisposeAsync();
        }
    }
}
