namespace Berth.Docker.Tests;

public sealed class NetworkOperationsTests : IAsyncLifetime
{
    private readonly DockerEngine _engine = TestDocker.Connect(ResourceLabels.NewSessionId());

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _engine.ReapSessionAsync(TestTimeout.Minute);
        _engine.Dispose();
    }

    [Fact]
    public async Task EnsureIsolatedBridge_CalledConcurrently_OneNetworkForEveryone()
    {
        var name = $"berth-test-race-{_engine.Labels.SessionId}";

        var ids = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _engine.Networks.EnsureIsolatedBridgeAsync(name, TestTimeout.Minute)));

        Assert.Single(ids.Distinct());
        var inspect = await _engine.Networks.InspectAsync(name, TestTimeout.Minute);
        Assert.Equal(ids[0], inspect!.ID);
        Assert.Equal("false", inspect.Options["com.docker.network.bridge.enable_icc"]);
    }

    [Fact]
    public async Task EnsureIsolatedBridge_CalledConcurrently_CreatesOneNetworkOnly()
    {
        var name = $"berth-test-once-{_engine.Labels.SessionId}";
        var probe = $"berth-test-probe-{_engine.Labels.SessionId}";
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<EngineEvent>();
        var subscribed = new TaskCompletionSource();
        var watch = Task.Run(async () =>
        {
            try
            {
                var stream = _engine.Events.StreamAsync(
                    new Dictionary<string, IReadOnlyList<string>> { ["type"] = ["network"], ["network"] = [name, probe] }, watching.Token);
                await using var enumerator = stream.GetAsyncEnumerator(watching.Token);
                subscribed.TrySetResult();
                while (await enumerator.MoveNextAsync())
                {
                    lock (events)
                    {
                        events.Add(enumerator.Current);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        await subscribed.Task;
        // The stream is live once it reports a network made after it was opened.
        var probeId = await _engine.Networks.EnsureIsolatedBridgeAsync(probe, TestTimeout.Minute);
        await _engine.Networks.RemoveAsync(probeId, TestTimeout.Minute);
        Assert.True(await Poll.UntilAsync(() => HasEvent(probe, "destroy")), "the event stream did not report the probe network");

        // Engines accept concurrent creations of one name, and a network created twice is ambiguous to
        // every container start that names it until the extra one is gone (two servers created at once).
        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _engine.Networks.EnsureIsolatedBridgeAsync(name, TestTimeout.Minute)));
        await _engine.Networks.RemoveAsync(ids[0], TestTimeout.Minute);
        await Poll.UntilAsync(() => HasEvent(name, "destroy"));

        await watching.CancelAsync();
        await watch;

        Assert.Single(ids.Distinct());
        lock (events)
        {
            // One creation, and the only removal is the test's own.
            Assert.Equal(["create", "destroy"], events.Where(e => IsAbout(e, name) && e.Action is "create" or "destroy").Select(e => e.Action));
        }

        bool HasEvent(string network, string action)
        {
            lock (events)
            {
                return events.Any(e => IsAbout(e, network) && e.Action == action);
            }
        }

        static bool IsAbout(EngineEvent e, string network) => e.Attributes.TryGetValue("name", out var n) && n == network;

    }
}
