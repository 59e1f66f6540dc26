using System.Collections.Concurrent;
using System.Net;
using Berth.Proxy.Tests.Infrastructure;

namespace Berth.Proxy.Tests;

public sealed class ChangingRoutesUnderLoadTests : EdgeTestBase
{
    private const int MaxRequests = 20_000;
    private const int Workers = 8;
    private static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RouteChange_AppliesAtOnce_WithNoFailedOrDroppedRequest()
    {
        Edge.Routes.Apply([new EdgeRoute("app.test", A.Address), new EdgeRoute("b.test", B.Address)]);
        using var client = Client();
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        var failures = new ConcurrentQueue<string>();
        var issued = 0;
        long appliedAt = 0;
        var newOriginAfterChange = 0;

        // A request in flight on the old route, across the change.
        var inFlight = client.GetAsync(new Uri("http://app.test/slow"));

        async Task WorkerAsync()
        {
            while (Interlocked.Increment(ref issued) <= MaxRequests && time.GetElapsedTime(started) < MaxDuration)
            {
                var sentAfterChange = Interlocked.Read(ref appliedAt) != 0;
                try
                {
                    using var response = await client.GetAsync(new Uri("http://app.test/"));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"{(int)response.StatusCode} {body}");
                    }
                    else if (sentAfterChange && body != "backend-b")
                    {
                        failures.Enqueue($"sent after the change, answered by {body}");
                    }
                    else if (sentAfterChange && Interlocked.Increment(ref newOriginAfterChange) >= 200)
                    {
                        return;
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue(ex.Message);
                }
            }
        }

        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(WorkerAsync)).ToArray();
        await A.SlowRequestArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        var applying = time.GetTimestamp();
        Edge.Routes.Apply([new EdgeRoute("app.test", B.Address), new EdgeRoute("b.test", B.Address), new EdgeRoute("new.test", A.Address)]);
        var applyDuration = time.GetElapsedTime(applying);
        Interlocked.Exchange(ref appliedAt, time.GetTimestamp());
        await Task.WhenAll(workers);
        using var slow = await inFlight;

        // Requests sent after Apply returned all reached the new origin: the change is visible at once,
        // and Apply itself is the whole delay.
        Assert.Empty(failures);
        Assert.True(applyDuration < TimeSpan.FromSeconds(1), $"Apply took {applyDuration.TotalMilliseconds} ms");
        Assert.True(newOriginAfterChange > 0, "no request was sent after the change");
        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        Assert.Equal("backend-a", await slow.Content.ReadAsStringAsync());
        Assert.Equal("backend-a", await client.GetStringAsync(new Uri("http://new.test/")));
        Assert.Equal("backend-b", await client.GetStringAsync(new Uri("http://app.test/")));
    }
}
