using System.Net;
using Berth.Proxy.Lane;
using Berth.Proxy.Origins;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests;

/// <summary>
/// The switches that turn the edge's hand-written parts off (the benchmark's variants, bench/edge.sh):
/// every combination still routes, and each part is used exactly when it is switched on.
/// </summary>
public sealed class EdgeVariantTests
{
    [Theory]
    [InlineData(false, false, "yarp: YARP's forwarder")]
    [InlineData(true, false, "origin: + own origin client")]
    [InlineData(true, true, "lane: + plain lane (production)")]
    [InlineData(false, true, "the lane asked for without the own origin client")]
    public async Task EachVariant_RoutesAGetToItsOrigin(bool ownOriginClient, bool plainLane, string variant)
    {
        await using var backend = await Backend.StartAsync("backend-a");
        await using var edge = await EdgeHost.StartAsync(options =>
        {
            options.HttpUrls.Clear();
            options.HttpUrls.Add("http://127.0.0.1:0");
            options.HttpsUrls.Clear();
            options.OwnOriginClient = ownOriginClient;
            options.PlainLane = plainLane;
        });
        edge.Routes.Apply([new EdgeRoute("a.test", backend.Address)]);
        using var client = EdgeClients.Create(edge.HttpAddresses[0]);

        using var response = await client.GetAsync(new Uri("http://a.test/"));

        Assert.True(response.StatusCode == HttpStatusCode.OK, variant);
        Assert.Equal("backend-a", await response.Content.ReadAsStringAsync());
        var services = edge.Services;
        // Every variant listens on Kestrel's socket transport, through the accept loop with its back-off.
        Assert.True(services.GetServices<IConnectionListenerFactory>().OfType<BackoffSocketTransportFactory>().Single().Accepted > 0);
        Assert.Equal(ownOriginClient ? 1 : 0, services.GetRequiredService<OriginPools>().Count);
        Assert.Equal(ownOriginClient && plainLane ? 1 : 0, services.GetRequiredService<PlainLane>().Forwarded);
    }
}
