using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Proxy;

/// <summary>
/// The edge as a server of its own: a Kestrel instance with only the edge's listeners and pipeline,
/// for hosts (the Berth server, tests, the benchmark) that keep it apart from their other endpoints.
/// </summary>
public sealed class EdgeHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EdgeHost(WebApplication app)
    {
        _app = app;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var uris = addresses.Select(address => new Uri(address)).ToArray();
        HttpAddresses = [.. uris.Where(uri => uri.Scheme == Uri.UriSchemeHttp)];
        HttpsAddresses = [.. uris.Where(uri => uri.Scheme == Uri.UriSchemeHttps)];
    }

    /// <summary>The route table to <see cref="IEdgeRouteTable.Apply"/> routes to.</summary>
    public IEdgeRouteTable Routes => _app.Services.GetRequiredService<IEdgeRouteTable>();

    /// <summary>The certificate selector used for TLS handshakes.</summary>
    public ICertificateSelector Certificates => _app.Services.GetRequiredService<ICertificateSelector>();

    /// <summary>The edge's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The bound plain HTTP addresses (with the actual port when port 0 was asked).</summary>
    public IReadOnlyList<Uri> HttpAddresses { get; }

    /// <summary>The bound HTTPS addresses (with the actual port when port 0 was asked).</summary>
    public IReadOnlyList<Uri> HttpsAddresses { get; }

    /// <summary>Builds and starts the edge on its listeners.</summary>
    /// <param name="configure">Sets <see cref="EdgeOptions"/>.</param>
    /// <param name="configureServices">Adds the host's services, e.g. an <see cref="IAcmeChallengeResponder"/>, a <see cref="TimeProvider"/> or logging.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    public static async Task<EdgeHost> StartAsync(
        Action<EdgeOptions> configure, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.Services.AddLogging();
        // The edge is stopped by its owner (DisposeAsync), not by SIGTERM or Ctrl+C: no console lifetime.
        builder.Services.AddSingleton<IHostLifetime, OwnerStoppedLifetime>();
        builder.Services.AddEdge(configure);
        // Kestrel's socket transport, with an accept loop that pauses when the process is out of
        // descriptors instead of spinning (BackoffSocketTransportFactory). Registered after Kestrel's
        // own factory, so Kestrel asks this one first.
        builder.Services.AddSingleton<IConnectionListenerFactory, BackoffSocketTransportFactory>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseEdge();
        await app.StartAsync(cancellationToken);
        var host = new EdgeHost(app);
        Log.Listening(
            app.Services.GetRequiredService<ILogger<EdgeHost>>(),
            string.Join(", ", host.HttpAddresses.Concat(host.HttpsAddresses)));
        return host;
    }

    /// <summary>Stops accepting connections, lets requests in flight finish, and releases the listeners.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A host lifetime that ignores process signals; the owner of the <see cref="EdgeHost"/> stops it.</summary>
internal sealed class OwnerStoppedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
