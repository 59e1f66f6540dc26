using System.Net;
using Berth.Proxy.Lane;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests;

/// <summary>
/// The cap on connections to one origin (E4): requests beyond it wait for a connection to come free and
/// are served on it, or get a 503 page when none does within the connect timeout; the origin never sees
/// more connections than the cap. Bounded: a cap of 2, three requests.
/// </summary>
public sealed class OriginConnectionLimitTests : EdgeTestBase
{
    private PlainLane Lane => Edge.Services.GetRequiredService<PlainLane>();

    internal override void ConfigureEdge(EdgeOptions options)
    {
        options.MaxConnectionsPerOrigin = 2;
        options.ConnectTimeout = TimeSpan.FromSeconds(3);
    }

    [Fact]
    public async Task RequestBeyondTheOriginsLimit_WaitsForAConnectionToComeFree_AndIsServedOnIt()
    {
        // The first two answers wait for the test; the third is answered at once.
        await using var origin = new ScriptedOrigin((n, request) => n <= 2
            ? new OriginCue("", Late: OriginCue.Ok(OriginCue.AnswerBody(request)))
            : OriginCue.Normal(request));
        using var client = RouteWithParallelClient(origin);

        var requests = Enumerable.Range(1, 3).Select(i => client.GetStringAsync(new Uri($"http://scripted.test/{i}"))).ToArray();
        await EdgeLimitsTests.EventuallyAsync(
            () => Lane.Forwarded == 3 && origin.Requests.Count == 2, () => $"{Lane.Forwarded} forwarded, {origin.Requests.Count} at the origin");
        Assert.Equal(2, origin.Connections);
        origin.ReleaseLate();
        var answers = await Task.WhenAll(requests);

        Assert.Equal(["answer to GET /1", "answer to GET /2", "answer to GET /3"], answers);
        Assert.Equal(2, origin.Connections);
    }

    [Fact]
    public async Task RequestBeyondTheOriginsLimit_Gets503_WhenNoConnectionComesFree()
    {
        await using var origin = new ScriptedOrigin(_ => null);
        using var client = RouteWithParallelClient(origin);

        var held = Enumerable.Range(1, 2).Select(i => client.GetAsync(new Uri($"http://scripted.test/held{i}"))).ToArray();
        await EdgeLimitsTests.EventuallyAsync(() => origin.Requests.Count == 2, () => $"{origin.Requests.Count} at the origin");
        using var lane = await client.GetAsync(new Uri("http://scripted.test/third"));
        using var general = await client.PostAsync(new Uri("http://scripted.test/fourth"), new StringContent("body"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, lane.StatusCode);
        Assert.Contains("The application is busy", await lane.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, general.StatusCode);
        Assert.Equal("1", general.Headers.RetryAfter?.ToString());
        Assert.Equal(2, origin.Connections);
        Assert.Equal(2, origin.Requests.Count);
    }

    /// <summary>Routes <c>scripted.test</c> to <paramref name="origin"/>; a client that may open ten connections at once.</summary>
    private HttpClient RouteWithParallelClient(ScriptedOrigin origin)
    {
        Route(origin).Dispose();
        var handler = EdgeClients.CreateHandler(HttpEdge);
        handler.MaxConnectionsPerServer = 10;
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
    }
}
