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
}
