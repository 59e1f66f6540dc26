using System.Net;
using System.Net.Http.Json;
using Berth.Core.Servers;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Servers;

/// <summary>The reconciler puts the engine back in line with the rows after changes made behind Berth's back.</summary>
[Collection(SharedEngine.Name)]
public sealed class ReconcilingServersTests(ServersFixture fixture) : IClassFixture<ServersFixture>
{
    [Fact]
    public async Task ContainerRemovedBehindBerthsBack_IsRecreated_WithTheTenantsFiles()
    {
        var id = await ServersFixture.CreateRunningServerAsync(fixture.Alice, "recreate me");
        var containers = fixture.Host.Services.GetRequiredService<ServerContainers>();
        var directories = fixture.Host.Services.GetRequiredService<ServerDirectories>();
        await File.WriteAllTextAsync(Path.Combine(directories.Apps(id), "data.txt"), "survives");
        var before = (await containers.FindAsync(id, CancellationToken.None))!.Id;

        await containers.Host.Containers.RemoveAsync(ServerContainers.ContainerName(id), CancellationToken.None);
        Assert.Null(await containers.FindAsync(id, CancellationToken.None));
        await fixture.Host.Services.GetRequiredService<ServerReconciler>().ReconcileOnceAsync(CancellationToken.None);

        var after = await containers.FindAsync(id, CancellationToken.None);
        Assert.NotNull(after);
        Assert.NotEqual(before, after.Id);
        Assert.Equal("running", after.State);
        Assert.Equal("survives", await File.ReadAllTextAsync(Path.Combine(directories.Apps(id), "data.txt")));
        using var inner = await containers.ConnectInnerAsync(id, CancellationToken.None);
        await inner!.System.PingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ContainerStartedBehindBerthsBack_OfAStoppedServer_IsStoppedAgain()
    {
        var id = await ServersFixture.CreateRunningServerAsync(fixture.Bob, "keep me off");
        await (await fixture.Bob.PostAsync($"/api/servers/{id}/stop", null)).AssertStatusAsync(HttpStatusCode.OK);
        var containers = fixture.Host.Services.GetRequiredService<ServerContainers>();

        await containers.Host.Containers.StartAsync(ServerContainers.ContainerName(id), CancellationToken.None);
        Assert.Equal("running", (await containers.FindAsync(id, CancellationToken.None))!.State);
        await fixture.Host.Services.GetRequiredService<ServerReconciler>().ReconcileOnceAsync(CancellationToken.None);

        Assert.Equal("exited", (await containers.FindAsync(id, CancellationToken.None))!.State);
        var server = await fixture.Bob.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/servers/{id}");
        Assert.False(server.GetProperty("enabled").GetBoolean());
    }
}

/// <summary>A creation that cannot succeed leaves no container and says why.</summary>
[Collection(SharedEngine.Name)]
public sealed class FailedServerCreationTests
{
    [Fact]
    public async Task CreationWithAnImageTheEngineLacks_FailsWithAReason_AndLeavesNoContainer()
    {
        _ = TestDocker.Endpoint;
        await using var host = await BerthTestHost.StartAsync(configure: settings => settings with { ServerImage = "berth/no-such-image:0" });
        using var admin = await host.LoginAsync();

        var response = await admin.PostAsJsonAsync("/api/servers", new { name = "doomed" });
        await response.AssertStatusAsync(HttpStatusCode.Accepted);
        var id = (await response.JsonAsync()).GetProperty("id").GetInt64();

        var failed = await WaitForFailedAsync(admin, id);
        Assert.Contains("could not be started", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(failed.GetProperty("enabled").GetBoolean());
        using var engine = TestDocker.Connect();
        Assert.Null(await engine.Containers.InspectAsync(ServerContainers.ContainerName(id), CancellationToken.None));
        await (await admin.PostAsync($"/api/servers/{id}/start", null)).AssertProblemAsync(HttpStatusCode.Conflict, "SERVER_NOT_READY");
        await (await admin.DeleteAsync($"/api/servers/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task AContainerThatKeepsExiting_FailsAfterTheEngineStartTimeout_SayingHowItEndedAndWhatItPrinted()
    {
        _ = TestDocker.Endpoint;
        string image;
        using (var engine = TestDocker.Connect())
        {
            // Its only command is a shell with nothing on stdin: it exits 0 at once, like a server whose engine gave up.
            image = await BusyboxImage.EnsureAsync(engine.Images, CancellationToken.None);
        }

        await using var host = await BerthTestHost.StartAsync(configure: settings => settings with { ServerImage = image });
        host.Services.GetRequiredService<ServersOptions>().EngineStartTimeout = TimeSpan.FromSeconds(3);
        using var admin = await host.LoginAsync();

        var response = await admin.PostAsJsonAsync("/api/servers", new { name = "exits at once" });
        await response.AssertStatusAsync(HttpStatusCode.Accepted);
        var id = (await response.JsonAsync()).GetProperty("id").GetInt64();

        var error = (await WaitForFailedAsync(admin, id)).GetProperty("error").GetString();
        Assert.True(
            System.Text.RegularExpressions.Regex.IsMatch(error!, @"within 3 s\. \(container (exited|restarting|running), exit code 0, restarted \d+ times; last output: none\)$"),
            error);
        await (await admin.DeleteAsync($"/api/servers/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);
    }

    private static async Task<System.Text.Json.JsonElement> WaitForFailedAsync(HttpClient client, long id)
    {
        var server = await Poll.UntilAsync(
            () => client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/servers/{id}"),
            s => s.GetProperty("state").GetString() == "failed",
            TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(250));
        Assert.True(server.GetProperty("state").GetString() == "failed", $"server {id} never failed: {server}");
        return server;
    }
}
