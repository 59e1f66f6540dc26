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
}
