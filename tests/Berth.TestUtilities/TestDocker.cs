using Berth.Docker;

namespace Berth.TestUtilities;

/// <summary>
/// The Docker engine that scripts/test.sh started (BERTH_TEST_DOCKER_HOST). Every resource a
/// test creates through <see cref="Connect"/> carries the run's session label.
/// </summary>
public static class TestDocker
{
    /// <summary>Label prefix of test resources.</summary>
    public const string LabelPrefix = "berth.test";

    /// <summary>One session id per test process, so that a run can reap what it made.</summary>
    public static string RunSession { get; } = ResourceLabels.NewSessionId();

    public static Uri Endpoint => new(RequiredService.Get("BERTH_TEST_DOCKER_HOST", "A Docker engine"));

    /// <summary>An engine client labelling with <paramref name="session"/> (the run's session by default).</summary>
    public static DockerEngine Connect(string? session = null) =>
        new(DockerClientFactory.Create(Endpoint), new ResourceLabels(LabelPrefix, session ?? RunSession));
}
