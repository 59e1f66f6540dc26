namespace Berth.Docker.Tests;

public sealed class LabellingAndReapingTests
{
    [Fact]
    public async Task ReapSession_RemovesThatSessionsContainersAndNetworks_OnlyThose()
    {
        using var mine = TestDocker.Connect(ResourceLabels.NewSessionId());
        using var theirs = TestDocker.Connect(ResourceLabels.NewSessionId());
        var image = await BusyboxImage.EnsureAsync(mine.Images, TestTimeout.Minute);
        var running = await mine.Containers.CreateAsync(new ContainerSpec { Image = image, Command = ["sleep", "60"] }, TestTimeout.Minute);
        await mine.Containers.StartAsync(running, TestTimeout.Minute);
        var stopped = await mine.Containers.CreateAsync(new ContainerSpec { Image = image }, TestTimeout.Minute);
        var network = await mine.Networks.EnsureIsolatedBridgeAsync($"berth-test-{mine.Labels.SessionId}", TestTimeout.Minute);
        var other = await theirs.Containers.CreateAsync(new ContainerSpec { Image = image }, TestTimeout.Minute);
        try
        {
            var labelled = await mine.Containers.ListByLabelAsync($"{mine.Labels.SessionKey}={mine.Labels.SessionId}", TestTimeout.Minute);
            Assert.Equal(new[] { running, stopped }.Order(StringComparer.Ordinal), labelled.Select(c => c.ID).Order(StringComparer.Ordinal));

            var reaped = await mine.ReapSessionAsync(TestTimeout.Minute);

            Assert.Equal(new ReapResult(2, 1), reaped);
            Assert.Null(await mine.Containers.InspectAsync(running, TestTimeout.Minute));
            Assert.Null(await mine.Containers.InspectAsync(stopped, TestTimeout.Minute));
            Assert.Null(await mine.Networks.InspectAsync(network, TestTimeout.Minute));
            Assert.NotNull(await theirs.Containers.InspectAsync(other, TestTimeout.Minute));
        }
        finally
        {
            await theirs.ReapSessionAsync(TestTimeout.Minute);
            await mine.ReapSessionAsync(TestTimeout.Minute);
        }
    }

    [Fact]
    public async Task EnsureIsolatedBridge_CreatesLabelledNetworkWithoutInterContainerTraffic_AndIsIdempotent()
    {
        using var engine = TestDocker.Connect(ResourceLabels.NewSessionId());
        try
        {
            var name = $"berth-test-{engine.Labels.SessionId}";
            var id = await engine.Networks.EnsureIsolatedBridgeAsync(name, TestTimeout.Minute);

            var again = await engine.Networks.EnsureIsolatedBridgeAsync(name, TestTimeout.Minute);
            var network = await engine.Networks.InspectAsync(name, TestTimeout.Minute);

            Assert.Equal(id, again);
            Assert.NotNull(network);
            Assert.Equal("false", network.Options["com.docker.network.bridge.enable_icc"]);
            Assert.Equal(engine.Labels.SessionId, network.Labels[engine.Labels.SessionKey]);
        }
        finally
        {
            await engine.ReapSessionAsync(TestTimeout.Minute);
        }
    }

    [Theory]
    [InlineData("Berth")]
    [InlineData("berth..x.")]
    [InlineData("a b")]
    public void ResourceLabels_InvalidPrefix_Refused(string prefix) =>
        Assert.Throws<ArgumentException>(() => new ResourceLabels(prefix, "abc"));

    [Fact]
    public void Apply_ExtraLabelsCannotOverrideTheSessionLabels()
    {
        var labels = new ResourceLabels("org.example", "s1");

        var applied = labels.Apply(new Dictionary<string, string> { ["org.example.session"] = "forged", ["role"] = "x" });

        Assert.Equal("s1", applied["org.example.session"]);
        Assert.Equal("true", applied["org.example.managed"]);
        Assert.Equal("x", applied["role"]);
    }

    [Fact]
    public async Task ImportRootfs_InstructionTheEngineRefuses_RejectedBeforeUploading()
    {
        using var engine = TestDocker.Connect();
        using var empty = new MemoryStream();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => engine.Images.ImportRootfsAsync(empty, "berth-test/never", "x", ["STOPSIGNAL SIGTERM"], TestTimeout.Minute));

        Assert.Contains("STOPSIGNAL", error.Message, StringComparison.Ordinal);
    }
}
