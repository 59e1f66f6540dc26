using Berth.Proxy.Lane;
using Berth.Proxy.Origins;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Proxy;

/// <summary>Registration of the edge in a host's services and pipeline.</summary>
public static class EdgeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the edge: the route table (<see cref="IEdgeRouteTable"/>), the certificate cache
    /// (<see cref="EdgeCertificateCache"/>, also the default <see cref="ICertificateSelector"/>), the
    /// forwarder and its connection pool, and Kestrel listeners and limits from <see cref="EdgeOptions"/>.
    /// Register an <see cref="IAcmeChallengeResponder"/> to answer HTTP-01 challenges.
    /// </summary>
    public static IServiceCollection AddEdge(this IServiceCollection services, Action<EdgeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EdgeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(EdgeListeners.IsValid, "Edge options are not valid: check Edge:HttpUrls, Edge:HttpsUrls, Edge:CloudflareRanges, and that limits and timeouts are positive.")
            .ValidateOnStart();

        services.AddHttpForwarder();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EdgeRouteTable>();
        services.TryAddSingleton<IEdgeRouteTable>(sp => sp.GetRequiredService<EdgeRouteTable>());
        services.TryAddSingleton<EdgeCertificateCache>();
        services.TryAddSingleton<ICertificateSelector>(sp => sp.GetRequiredService<EdgeCertificateCache>());
        services.TryAddSingleton(sp => new ClientAddressResolver(sp.GetRequiredService<IOptions<EdgeOptions>>().Value));
        services.TryAddSingleton<ClientCertificateValidator>();
        services.TryAddSingleton<EdgeTransformer>();
        services.TryAddSingleton<EdgeForwarderClient>();
        services.TryAddSingleton<OriginPools>();
        services.TryAddSingleton<OriginForwarder>();
        services.TryAddSingleton<LaneTimeouts>();
        services.TryAddSingleton<ConnectionLimits>();
        services.TryAddSingleton<PlainLane>();
        services.TryAddSingleton<EdgeRequestHandler>();

        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<EdgeOptions>, ICertificateSelector, EdgeRouteTable, ClientCertificateValidator, IServiceProvider>(
                (kestrel, edge, selector, routes, clientCertificates, services) => EdgeListeners.Configure(
                    kestrel, edge.Value, selector, routes, clientCertificates, services.GetRequiredService<TimeProvider>(),
                    services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EdgeListeners).FullName!)));

        return services;
    }

    /// <summary>Ends the pipeline with the edge: every request that reaches this point is routed by its host.</summary>
    public static IApplicationBuilder UseEdge(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var handler = app.ApplicationServices.GetRequiredService<EdgeRequestHandler>();
        app.Run(handler.InvokeAsync);
        return app;
    }
}
