using System.Collections.Concurrent;
using System.Net;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Edge;

/// <summary>
/// Domain changes while requests flow through the edge: the change shows and no request to a name
/// that stays is lost. How fast it shows is not asserted: a wall clock on a shared two-core machine
/// decides nothing (CI once saw 1.09 s for a one-second goal). The load is a few keep-alive client loops, bounded in time
/// and count; this checks correctness under load, not speed (bench/edge.sh measures that). It creates
/// servers, so it shares the engine collection (container names count from 1 in every test host).
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class ChangingDomainsUnderLoadTests(EdgeFixture fixture) : IClassFixture<EdgeFixture>
{
    private const int Loops = 3;
    private const int MaxRequestsPerLoop = 20_000;

    [Fact]
    public async Task AddingAndRemovingDomains_Show_WithNoFailedRequest()
    {
        await fixture.AddDomainAsync(fixture.AliceServer, "steady.alice.test");
        await fixture.AddDomainAsync(fixture.BobServer, "leaving.bob.test");
        Assert.Equal(HttpStatusCode.OK, await WaitForAsync("steady.alice.test", HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.OK, await WaitForAsync("leaving.bob.test", HttpStatusCode.OK));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var failures = new ConcurrentQueue<string>();
        var served = 0L;
        var loops = Enumerable.Range(0, Loops).Select(_ => Task.Run(async () =>
        {
            using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
            for (var i = 0; i < MaxRequestsPerLoop && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.EdgeHttp, "/"));
                    request.Headers.Host = "steady.alice.test";
                    using var response = await client.SendAsync(request, CancellationToken.None);
                    var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.OK && body.Contains("alice's page", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref served);
                    }
                    else
                    {
                        failures.Enqueue($"{(int)response.StatusCode}: {body[..Math.Min(body.Length, 80)]}");
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    failures.Enqueue(e.Message);
                }
            }
        })).ToArray();

        // The changes land while requests flow: after some have been served, and with more served after.
        Assert.True(await Poll.UntilAsync(() => Interlocked.Read(ref served) >= 50), "the load never got going");
        await fixture.AddDomainAsync(fixture.BobServer, "arriving.bob.test");
        var added = await WaitForAsync("arriving.bob.test", HttpStatusCode.OK);
        await fixture.RemoveDomainAsync("leaving.bob.test");
        var removed = await WaitForAsync("leaving.bob.test", HttpStatusCode.NotFound);
        var servedAtChange = Interlocked.Read(ref served);
        Assert.True(await Poll.UntilAsync(() => Interlocked.Read(ref served) >= servedAtChange + 50), "the load stopped after the change");
        await stop.CancelAsync();
        await Task.WhenAll(loops);

        Assert.Equal(HttpStatusCode.OK, added);
        Assert.Equal(HttpStatusCode.NotFound, removed);
        Assert.True(failures.IsEmpty, $"{failures.Count} of {served + failures.Count} requests failed, e.g. {failures.FirstOrDefault()}");
        Assert.True(served > Loops, $"only {served} requests were served");
    }

    /// <summary>Polls one host until it answers <paramref name="status"/>; returns the last status.</summary>
    private Task<HttpStatusCode> WaitForAsync(string host, HttpStatusCode status) =>
        Poll.UntilAsync(
            async () =>
            {
                using var response = await fixture.GetThroughEdgeAsync(host);
                return response.StatusCode;
            },
            last => last == status,
            interval: TimeSpan.FromMilliseconds(20));
}
