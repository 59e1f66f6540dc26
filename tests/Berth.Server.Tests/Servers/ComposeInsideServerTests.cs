using Berth.Core.Servers;
using Berth.Core.Servers.Image;
using Berth.Docker;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Servers;

/// <summary>Compose v2 ships in the virtual-server image and drives the server's own engine.</summary>
[Collection(SharedEngine.Name)]
public sealed class ComposeInsideServerTests(ServersFixture fixture) : IClassFixture<ServersFixture>
{
    private const string ProjectLabel = "com.docker.compose.project";

    [Fact]
    public async Task ComposeStack_DeployedInsideAServer_RunsWithTheProjectLabel_AndComesDownAgain()
    {
        var id = await ServersFixture.CreateRunningServerAsync(fixture.Alice, "compose box");
        var containers = fixture.Host.Services.GetRequiredService<ServerContainers>();
        var directories = fixture.Host.Services.GetRequiredService<ServerDirectories>();
        var server = ServerContainers.ContainerName(id);
        using var inner = await fixture.InnerEngineAsync(id);
        var busybox = await ServersFixture.CopyBusyboxAsync(inner);

        // The tenant's view: a compose file in /apps, `docker compose` on the server's shell.
        var stack = Path.Combine(directories.Apps(id), "shop");
        Directory.CreateDirectory(stack);
        await File.WriteAllTextAsync(Path.Combine(stack, "compose.yaml"), $"""
            name: shop
            services:
              web:
                image: {busybox}
                pull_policy: never
                command: ["sh", "-c", "echo shop-web > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"]
              worker:
                image: {busybox}
                pull_policy: never
                command: ["sleep", "3600"]
            """);

        var plugin = await containers.Host.Containers.ExecAsync(server, ["docker", "compose", "version"], CancellationToken.None);
        Assert.True(plugin.ExitCode == 0, $"docker compose version: {plugin.StandardError}");
        Assert.StartsWith("Docker Compose version 2.", plugin.StandardOutput, StringComparison.Ordinal);
        var standalone = await containers.Host.Containers.ExecAsync(server, ["docker-compose", "version"], CancellationToken.None);
        Assert.StartsWith("Docker Compose version 2.", standalone.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(0, (await containers.Host.Containers.ExecAsync(server, ["test", "-x", VirtualServerImage.ComposePluginPath], CancellationToken.None)).ExitCode);

        var up = await containers.Host.Containers.ExecAsync(server, ["docker", "compose", "--file", "/apps/shop/compose.yaml", "up", "--detach"], CancellationToken.None);
        Assert.True(up.ExitCode == 0, $"compose up exited {up.ExitCode}: {up.StandardError}");

        var running = await inner.Containers.ListByLabelAsync($"{ProjectLabel}=shop", CancellationToken.None);
        Assert.Equal(["web", "worker"], running.Select(c => c.Labels["com.docker.compose.service"]).Order(StringComparer.Ordinal));
        Assert.All(running, c => Assert.Equal("running", c.State));
        Assert.All(running, c => Assert.Equal(busybox, c.Image));
        var web = running.Single(c => c.Labels["com.docker.compose.service"] == "web");
        var page = await FetchAsync(inner, web.ID);
        Assert.Equal("shop-web", page.Trim());

        var down = await containers.Host.Containers.ExecAsync(server, ["docker", "compose", "--file", "/apps/shop/compose.yaml", "down"], CancellationToken.None);
        Assert.True(down.ExitCode == 0, $"compose down exited {down.ExitCode}: {down.StandardError}");
        Assert.Empty(await inner.Containers.ListByLabelAsync($"{ProjectLabel}=shop", CancellationToken.None));

        await (await fixture.Alice.DeleteAsync($"/api/servers/{id}")).AssertStatusAsync(System.Net.HttpStatusCode.NoContent);
    }

    /// <summary>The stack's web page from inside its container; httpd may take a moment to listen.</summary>
    private static async Task<string> FetchAsync(DockerEngine inner, string container)
    {
        var last = await Poll.UntilAsync(
            () => inner.Containers.ExecAsync(container, ["wget", "-q", "-O", "-", "http://127.0.0.1:8080/index.html"], CancellationToken.None),
            r => r.ExitCode == 0,
            interval: TimeSpan.FromMilliseconds(250));
        Assert.True(last.ExitCode == 0, $"httpd in the stack did not answer: {last.StandardError}");
        return last.StandardOutput;
    }
}
