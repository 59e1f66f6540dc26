using System.Collections.Concurrent;
using System.Net;
using Berth.Proxy.Tests.Infrastructure;

namespace Berth.Proxy.Tests;

public sealed class ChangingRoutesUnderLoadTests : EdgeTestBase
{
    private const int MaxRequests = 2_000;
    private const int Workers = 8;
    private static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RouteChange_IsVisibleWithinASecond_WithNoFailedOrDroppedRequest()
    {
        Edge.Routes.Apply([new EdgeRoute("app.test", A.Address), new EdgeRoute("b.test", B.Address)]);
        using var client = Client();
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        var failures = new ConcurrentQueue<string>();
        var issued = 0;
        long swappedAt = 0;
        long firstNewOriginAt = 0;

        // A request in flight on the old route, across the change.
        var inFlight = client.GetAsync(new Uri("http://app.test/slow"));

        async Task WorkerAsync()
        {
            while (Interlocked.Increment(ref issued) <= MaxRequests && time.GetElapsedTime(started) < MaxDuration)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri("http://app.test/"));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"{(int)response.StatusCode} {body}");
                    }
                    else if (body == "backend-b" && Interlocked.Read(ref firstNewOriginAt) == 0)
                    {
                        Interlocked.CompareExchange(ref firstNewOriginAt, time.GetTimestamp(), 0);
                    }
                    else if (body == "backend-a" && Interlocked.Read(ref firstNewOriginAt) != 0)
                    {
                        // Allowed only for requests sent before the first answer from the new origin.
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue(ex.Message);
                }

                if (Interlocked.Read(ref firstNewOriginAt) != 0 && time.GetElapsedTime(firstNewOriginAt) > TimeSpan.FromMilliseconds(500))
                {
                    return;
                }
            }
        }

        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(WorkerAsync)).ToArray();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Edge.Routes.Apply([new EdgeRoute("app.test", B.Address), new EdgeRoute("b.test", B.Address), new EdgeRoute("new.test", A.Address)]);
        swappedAt = time.GetTimestamp();
        await Task.WhenAll(workers);
        using var slow = await inFlight;

        Assert.Empty(failures);
        Assert.NotEqual(0, Interlocked.Read(ref firstNewOriginAt));
        Assert.True(
            time.GetElapsedTime(swappedAt, firstNewOriginAt) < TimeSpan.FromSeconds(1),
            $"the change took {time.GetElapsedTime(swappedAt, firstNewOriginAt).TotalMilliseconds} ms to show");
        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        Assert.Equal("backend-a", await slow.Content.ReadAsStringAsync());
        Assert.Equal("backend-a", await client.GetStringAsync(new Uri("http://new.test/")));
        Assert.Equal("backend-b", await client.GetStringAsync(new Uri("http://app.test/")));
    }
}
