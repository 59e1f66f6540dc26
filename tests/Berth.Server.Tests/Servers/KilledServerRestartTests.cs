using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core.Servers;
using Berth.Docker;
using Berth.Server.Tests.Infrastructure;
using Docker.DotNet.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Servers;

/// <summary>
/// A killed server leaves stale pid files in its /run; whatever restarts it (the reconciler or the
/// engine's restart policy), its inner engine must come back and answer over mutual TLS.
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class KilledServerRestartTests(ServersFixture fixture) : IClassFixture<ServersFixture>
{
    private ServerContainers Containers => fixture.Host.Services.GetRequiredService<ServerContainers>();

    [Fact]
    public async Task DockerKill_ThenTheReconciler_BringsTheInnerEngineBack()
    {
        var id = await ServersFixture.CreateRunningServerAsync(fixture.Bob, "kill me");
        var name = ServerContainers.ContainerName(id);
        await AssertPidFileAsync(name);

        await Containers.Host.Client.Containers.KillContainerAsync(name, new ContainerKillParameters { Signal = "KILL" }, CancellationToken.None);
        var killed = (await Containers.InspectAsync(id, CancellationToken.None))!.State!;
        Assert.False(killed.Running);

        // `docker kill` counts as a manual stop: the restart policy leaves it to Berth.
        await fixture.Host.Services.GetRequiredService<ServerReconciler>().ReconcileOnceAsync(CancellationToken.None);

        await AssertEngineAnswersAsync(id);
        var server = await fixture.Bob.GetFromJsonAsync<JsonElement>($"/api/servers/{id}");
        Assert.Equal("running", server.GetProperty("state").GetString());
        await (await fixture.Bob.DeleteAsync($"/api/servers/{id}")).AssertStatusAsync(System.Net.HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task InnerEngineKilled_TheRestartPolicy_BringsItBack()
    {
        var id = await ServersFixture.CreateRunningServerAsync(fixture.Bob, "crash me");
        var name = ServerContainers.ContainerName(id);
        await AssertPidFileAsync(name);

        // SIGKILL leaves dockerd no time to clean up; the entrypoint then exits and the engine's
        // restart policy (unless-stopped) starts the same container again.
        // The exec may itself be cut short as the container goes down: its effect is what counts.
        var kill = await Containers.Host.Containers.ExecAsync(name, ["sh", "-c", "kill -KILL \"$(cat /run/docker.pid)\""], CancellationToken.None);
        await WaitAsync(
            // While it waits to be restarted, the engine reports it "restarting" with Running still true.
            async () => (await Containers.InspectAsync(id, CancellationToken.None))! is { RestartCount: >= 1, State.Status: "running" },
            $"the server's container was not restarted by its restart policy (kill exited {kill.ExitCode}: {kill.StandardError})");

        await AssertEngineAnswersAsync(id);
        await (await fixture.Bob.DeleteAsync($"/api/servers/{id}")).AssertStatusAsync(System.Net.HttpStatusCode.NoContent);
    }

    /// <summary>The engine wrote its pid file, so a kill leaves one behind.</summary>
    private async Task AssertPidFileAsync(string container)
    {
        var pid = await Containers.Host.Containers.ExecAsync(container, ["cat", "/run/docker.pid"], CancellationToken.None);
        Assert.Matches("^[0-9]+$", pid.StandardOutput.Trim());
    }

    /// <summary>The inner engine answers over mutual TLS, and keeps answering (no restart loop).</summary>
    private async Task AssertEngineAnswersAsync(long id)
    {
        var container = (await Containers.FindAsync(id, CancellationToken.None))!;
        Assert.Equal("running", container.State);
        using (var inner = await fixture.InnerEngineAsync(id))
        {
            await DockerWait.UntilEngineAnswersAsync(inner.Client, TimeSpan.FromSeconds(60), TimeProvider.System, CancellationToken.None);
            Assert.False(string.IsNullOrEmpty((await inner.Client.System.GetVersionAsync(CancellationToken.None)).Version));
        }

        // No restart loop: the container that answered is still the same start after a second session
        // on a new connection (a loop would show as a later start or a higher restart count).
        var before = (await Containers.InspectAsync(id, CancellationToken.None))!;
        using (var again = await fixture.InnerEngineAsync(id))
        {
            await again.Client.System.PingAsync(CancellationToken.None);
            Assert.False(string.IsNullOrEmpty((await again.Client.System.GetSystemInfoAsync(CancellationToken.None)).ID));
        }

        var after = (await Containers.InspectAsync(id, CancellationToken.None))!;
        Assert.True(
            after.State!.Status == "running" && after.RestartCount == before.RestartCount && after.State.StartedAt == before.State!.StartedAt,
            $"the server restarts again and again ({before.RestartCount} → {after.RestartCount} restarts, started {before.State!.StartedAt} → {after.State.StartedAt})");
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string failure) =>
        Assert.True(await Poll.UntilAsync(condition, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200)), $"{failure} within 60 s");
}
