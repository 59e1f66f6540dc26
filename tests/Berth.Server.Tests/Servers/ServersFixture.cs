using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core.Servers;
using Berth.Core.Servers.Image;
using Berth.Docker;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Servers;

/// <summary>
/// One Berth on the run's real Docker engine (BERTH_TEST_DOCKER_HOST: the tests fail without it),
/// with the virtual-server image built once, an admin and two users. Servers created here are
/// removed with the host's installation label at the end.
/// </summary>
public sealed class ServersFixture : IAsyncLifetime, ICreatesServers
{
    public const string AlicePassword = "alice-password-1";
    public const string BobPassword = "bob-password-1";

    public BerthTestHost Host { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Alice { get; private set; } = null!;

    public HttpClient Bob { get; private set; } = null!;

    public long AliceId { get; private set; }

    public long BobId { get; private set; }

    public async Task InitializeAsync()
    {
        _ = TestDocker.Endpoint;
        using (var engine = TestDocker.Connect())
        {
            await VirtualServerImageForTests.EnsureAsync(engine);
        }

        Host = await BerthTestHost.StartAsync();
        Admin = await Host.LoginAsync();
        AliceId = await Admin.CreateUserAsync("alice@example.com", AlicePassword);
        BobId = await Admin.CreateUserAsync("bob@example.com", BobPassword);
        Alice = await Host.LoginAsync("alice@example.com", AlicePassword);
        Bob = await Host.LoginAsync("bob@example.com", BobPassword);
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        Alice.Dispose();
        Bob.Dispose();
        await Host.DisposeAsync();
    }

    /// <summary>Creates a server and waits until it is running; fails the test with its state otherwise.</summary>
    public static async Task<long> CreateRunningServerAsync(HttpClient client, string name)
    {
        var response = await client.PostAsJsonAsync("/api/servers", new { name });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"create {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var id = (await response.JsonAsync()).GetProperty("id").GetInt64();
        await WaitForStateAsync(client, id, "running");
        return id;
    }

    public static async Task<JsonElement> WaitForStateAsync(HttpClient client, long id, string state, int seconds = 120)
    {
        // A failed server never becomes anything else on its own: stop asking at once.
        var server = await Poll.UntilAsync(
            () => client.GetFromJsonAsync<JsonElement>($"/api/servers/{id}"),
            s => s.GetProperty("state").GetString() is var current && (current == state || current == "failed"),
            TimeSpan.FromSeconds(seconds),
            TimeSpan.FromMilliseconds(250));
        Assert.False(state != "failed" && server.GetProperty("state").GetString() == "failed", $"server {id} failed while waiting for {state}: {server}");
        Assert.True(server.GetProperty("state").GetString() == state, $"server {id} did not become {state} within {seconds} s: {server}");
        return server;
    }

    public static string ImageReference => VirtualServerImage.Reference;

    /// <summary>A client for the server's own engine over mutual TLS, labelling with the run's session.</summary>
    public async Task<DockerEngine> InnerEngineAsync(long id)
    {
        var client = await Host.Services.GetRequiredService<ServerContainers>().ConnectInnerAsync(id, CancellationToken.None);
        Assert.NotNull(client);
        return new DockerEngine(client, new ResourceLabels(TestDocker.LabelPrefix, TestDocker.RunSession));
    }

    /// <summary>Moves the busybox test image into an inner engine (save | load, no registry); returns its reference.</summary>
    public static async Task<string> CopyBusyboxAsync(DockerEngine inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        using var host = TestDocker.Connect();
        var busybox = await BusyboxImage.EnsureAsync(host.Images, CancellationToken.None);
        await host.Images.CopyToAsync(busybox, inner.Images, CancellationToken.None);
        return busybox;
    }
}
