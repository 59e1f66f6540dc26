using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests.Infrastructure;

/// <summary>An edge on 127.0.0.1:0 (HTTP and HTTPS) with two real origins, <c>A</c> and <c>B</c>, per test.</summary>
public abstract class EdgeTestBase : IAsyncLifetime
{
    internal Backend A { get; private set; } = null!;

    internal Backend B { get; private set; } = null!;

    internal EdgeHost Edge { get; private set; } = null!;

    internal Uri HttpEdge => Edge.HttpAddresses[0];

    internal Uri HttpsEdge => Edge.HttpsAddresses[0];

    public async Task InitializeAsync()
    {
        A = await Backend.StartAsync("backend-a");
        B = await Backend.StartAsync("backend-b");
        Edge = await EdgeHost.StartAsync(
            options =>
            {
                options.HttpUrls.Clear();
                options.HttpUrls.Add("http://127.0.0.1:0");
                options.HttpsUrls.Clear();
                options.HttpsUrls.Add("https://127.0.0.1:0");
                ConfigureEdge(options);
            },
            ConfigureServices);
        Edge.Routes.Apply(
        [
            new EdgeRoute("a.test", A.Address),
            new EdgeRoute("b.test", B.Address),
        ]);
    }

    public async Task DisposeAsync()
    {
        await Edge.DisposeAsync();
        await A.DisposeAsync();
        await B.DisposeAsync();
    }

    internal virtual void ConfigureEdge(EdgeOptions options)
    {
    }

    internal virtual void ConfigureServices(IServiceCollection services)
    {
    }

    internal HttpClient Client() => EdgeClients.Create(HttpEdge);

    /// <summary>Adds <c>scripted.test</c> to the edge's routes, pointing at <paramref name="origin"/>; returns a client of the edge.</summary>
    internal HttpClient Route(ScriptedOrigin origin)
    {
        Edge.Routes.Apply(
        [
            new EdgeRoute("a.test", A.Address),
            new EdgeRoute("b.test", B.Address),
            new EdgeRoute("scripted.test", origin.Address),
        ]);
        return Client();
    }
}
