using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;

/// <summary>
/// Measures the alternative the edge did not take: YARP's own routes (one per host, matched by ASP.NET
/// Core routing) in an <see cref="InMemoryConfigProvider"/>. Prints how long the first request after
/// loading N routes takes (matcher build) and how long a one-route change takes to be served.
/// </summary>
internal static class YarpRoutesProbe
{
    public static async Task RunAsync(Uri origin, int routeCount)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddLogging();
        builder.Services.AddRouting();
        builder.Services.AddReverseProxy().LoadFromMemory([], []);
        await using var app = builder.Build();
        app.UseRouting();
        app.MapReverseProxy();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var provider = app.Services.GetRequiredService<InMemoryConfigProvider>();
        var cluster = new ClusterConfig
        {
            ClusterId = "origin",
            Destinations = new Dictionary<string, DestinationConfig> { ["d"] = new() { Address = origin.ToString() } },
        };
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address };

        var stopwatch = Stopwatch.StartNew();
        provider.Update(Routes(routeCount, "bench"), [cluster]);
        var update = stopwatch.Elapsed;
        await GetAsync(client, $"bench-{routeCount - 1}.test");
        var first = stopwatch.Elapsed;

        stopwatch.Restart();
        provider.Update(Routes(routeCount, "changed"), [cluster]);
        await GetAsync(client, $"changed-{routeCount - 1}.test");
        var change = stopwatch.Elapsed;

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"yarp-routes routes={routeCount} update_ms={update.TotalMilliseconds:F0} first_request_ms={first.TotalMilliseconds:F0} change_visible_ms={change.TotalMilliseconds:F0}"));
        await app.StopAsync();
    }

    private static RouteConfig[] Routes(int count, string prefix) =>
        [.. Enumerable.Range(0, count).Select(i => new RouteConfig
        {
            RouteId = $"r{i}",
            ClusterId = "origin",
            Match = new RouteMatch { Hosts = [$"{prefix}-{i}.test"], Path = "/{**rest}" },
        })];

    private static async Task GetAsync(HttpClient client, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/index.txt");
        request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
