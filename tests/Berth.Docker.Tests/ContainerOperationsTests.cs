using Docker.DotNet.Models;

namespace Berth.Docker.Tests;

public sealed class ContainerOperationsTests : IAsyncLifetime
{
    private readonly DockerEngine _engine = TestDocker.Connect(ResourceLabels.NewSessionId());
    private string _image = "";

    public async Task InitializeAsync() => _image = await BusyboxImage.EnsureAsync(_engine.Images, TestTimeout.Minute);

    public async Task DisposeAsync()
    {
        await _engine.ReapSessionAsync(TestTimeout.Minute);
        _engine.Dispose();
    }

    [Fact]
    public async Task Create_WithIsolationMountsLimitsAndRestartPolicy_AllInTheHostConfig()
    {
        using var folder = new TempDirectory();
        var id = await _engine.Containers.CreateAsync(
            new ContainerSpec
            {
                Image = _image,
                Name = $"berth-test-{Guid.NewGuid():N}",
                Hostname = "server42",
                Command = ["sleep", "60"],
                Environment = new Dictionary<string, string> { ["GREETING"] = "hello" },
                Labels = new Dictionary<string, string> { ["berth.test.role"] = "sample" },
                CapAdd = ["NET_ADMIN"],
                CapDrop = ["MKNOD"],
                SecurityOptions = ["no-new-privileges"],
                Mounts = [new BindMount(folder.Path, "/data", ReadOnly: true)],
                Limits = new ResourceLimits(Cpus: 0.5, MemoryBytes: 64L * 1024 * 1024, Pids: 100),
                Restart = RestartMode.UnlessStopped,
            },
            TestTimeout.Minute);

        var inspect = await _engine.Containers.InspectAsync(id, TestTimeout.Minute) ?? throw new InvalidOperationException("container missing");

        var host = inspect.HostConfig!;
        var config = inspect.Config!;
        Assert.Equal("server42", config.Hostname);
        Assert.Contains("GREETING=hello", config.Env);
        Assert.Equal(["NET_ADMIN"], host.CapAdd!);
        Assert.Equal(["MKNOD"], host.CapDrop!);
        Assert.Contains("no-new-privileges", host.SecurityOpt);
        Assert.Equal(500_000_000, host.NanoCPUs);
        Assert.Equal(64L * 1024 * 1024, host.Memory);
        Assert.Equal(100, host.PidsLimit);
        Assert.Equal(RestartPolicyKind.UnlessStopped, host.RestartPolicy.Name);
        var mount = Assert.Single(host.Mounts!);
        Assert.Equal((folder.Path, "/data", true), (mount.Source, mount.Target, mount.ReadOnly));
        Assert.Equal("true", config.Labels[_engine.Labels.ManagedKey]);
        Assert.Equal(_engine.Labels.SessionId, config.Labels[_engine.Labels.SessionKey]);
        Assert.Equal("sample", config.Labels["berth.test.role"]);
    }

    [Fact]
    public async Task Exec_ArgumentsWithShellSyntax_ReachTheProgramVerbatim()
    {
        var id = await StartSleeperAsync();
        const string Hostile = "$(id) `id`; rm -rf / && echo 'x' | cat > /tmp/pwned";

        var result = await _engine.Containers.ExecAsync(id, ["echo", Hostile], TestTimeout.Minute);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Hostile + "\n", result.StandardOutput);
        var check = await _engine.Containers.ExecAsync(id, ["ls", "/tmp/pwned"], TestTimeout.Minute);
        Assert.NotEqual(0, check.ExitCode);
        Assert.Contains("pwned", check.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_FailingProgram_ExitCodeAndStandardErrorCaptured()
    {
        var id = await StartSleeperAsync();

        var result = await _engine.Containers.ExecAsync(id, ["sh", "-c", "echo out; echo err >&2; exit 3"], TestTimeout.Minute);

        Assert.Equal((3L, "out\n", "err\n"), (result.ExitCode, result.StandardOutput, result.StandardError));
    }

    [Fact]
    public async Task StopAndRemove_RunningContainer_GoneAndRemovingAgainIsNoError()
    {
        var id = await StartSleeperAsync();

        await _engine.Containers.StopAsync(id, TimeSpan.Zero, TestTimeout.Minute);
        Assert.False((await _engine.Containers.InspectAsync(id, TestTimeout.Minute))!.State!.Running);
        await _engine.Containers.RemoveAsync(id, TestTimeout.Minute);
        await _engine.Containers.RemoveAsync(id, TestTimeout.Minute);

        Assert.Null(await _engine.Containers.InspectAsync(id, TestTimeout.Minute));
    }

    [Fact]
    public async Task UpdateLimits_RunningContainer_AppliedLive()
    {
        var id = await StartSleeperAsync();

        await _engine.Containers.UpdateLimitsAsync(id, new ResourceLimits(Cpus: 1, MemoryBytes: 96L * 1024 * 1024, Pids: 50), TestTimeout.Minute);

        var host = (await _engine.Containers.InspectAsync(id, TestTimeout.Minute))!.HostConfig!;
        Assert.Equal((1_000_000_000L, 96L * 1024 * 1024, 50L), (host.NanoCPUs, host.Memory, host.PidsLimit ?? 0));
    }

    [Fact]
    public async Task Events_ContainerStarted_StreamReportsIt()
    {
        var before = TimeProvider.System.GetUtcNow().AddSeconds(-1);
        var id = await StartSleeperAsync();
        var filters = new Dictionary<string, IReadOnlyList<string>> { ["type"] = ["container"], ["container"] = [id] };

        EngineEvent? started = null;
        await foreach (var engineEvent in _engine.Events.StreamAsync(filters, TestTimeout.After(TimeSpan.FromSeconds(20)), since: before))
        {
            if (engineEvent.Action == "start")
            {
                started = engineEvent;
                break;
            }
        }

        Assert.NotNull(started);
        Assert.Equal(id, started.ActorId);
        Assert.Equal(_engine.Labels.SessionId, started.Attributes[_engine.Labels.SessionKey]);
    }

    private async Task<string> StartSleeperAsync()
    {
        var id = await _engine.Containers.CreateAsync(new ContainerSpec { Image = _image, Command = ["sleep", "60"] }, TestTimeout.Minute);
        await _engine.Containers.StartAsync(id, TestTimeout.Minute);
        return id;
    }
}
