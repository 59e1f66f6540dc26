namespace Berth.Docker.Tests;

public sealed class EngineTests
{
    [Fact]
    public async Task GetVersion_TestEngine_AnswersWithApiAtLeast141()
    {
        using var engine = TestDocker.Connect();
        await engine.WaitUntilAnswersAsync(TimeSpan.FromSeconds(10), TestTimeout.Minute);

        var version = await engine.GetVersionAsync(TestTimeout.Minute);

        Assert.True(Version.Parse(version.APIVersion) >= new Version(1, 41), $"API {version.APIVersion}");
    }

    [Fact]
    public async Task WaitUntilAnswers_NothingListening_TimesOutWithTheReason()
    {
        using var engine = new DockerEngine(
            DockerClientFactory.Create(new Uri($"unix:///tmp/berth-no-engine-{Guid.NewGuid():N}.sock")),
            new ResourceLabels(TestDocker.LabelPrefix, TestDocker.RunSession));
        var started = TimeProvider.System.GetTimestamp();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => engine.WaitUntilAnswersAsync(TimeSpan.FromSeconds(1), TestTimeout.Minute));

        Assert.Contains("did not answer", error.Message, StringComparison.Ordinal);
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task WaitUntilAnswers_WithAPortProbe_ClosedPort_TimesOutNamingThePort()
    {
        // A port that was just free: nothing listens there.
        var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var endpoint = (System.Net.IPEndPoint)probe.LocalEndpoint;
        probe.Stop();
        using var client = DockerClientFactory.Create(new Uri($"tcp://127.0.0.1:{endpoint.Port}"));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => DockerWait.UntilEngineAnswersAsync(client, TimeSpan.FromSeconds(0.5), TimeProvider.System, TestTimeout.Minute, endpoint));

        Assert.Contains($"Nothing listened on {endpoint}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitUntilAnswers_WithAPortProbe_PingsTheEngineOnceThePortIsOpen()
    {
        // A listener that accepts but is no engine: the probe passes, the ping cannot, and the wait says so.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var endpoint = (System.Net.IPEndPoint)listener.LocalEndpoint;
            using var client = DockerClientFactory.Create(new Uri($"tcp://127.0.0.1:{endpoint.Port}"));

            var error = await Assert.ThrowsAsync<TimeoutException>(() => DockerWait.UntilEngineAnswersAsync(client, TimeSpan.FromSeconds(0.5), TimeProvider.System, TestTimeout.Minute, endpoint));

            Assert.Contains("did not answer", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
        }
    }
}
