using System.Net;
using System.Net.Http.Json;
using Berth.Core.Data;
using Berth.Core.Servers;
using Berth.Docker;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Servers;

/// <summary>A user's virtual server from creation to deletion, on the real engine.</summary>
[Collection(SharedEngine.Name)]
public sealed class VirtualServerLifecycleTests(ServersFixture fixture) : IClassFixture<ServersFixture>
{
    private BerthTestHost Host => fixture.Host;

    [Fact]
    public async Task CreateStartStopRenameDelete_OnARealEngine()
    {
        var response = await fixture.Alice.PostAsJsonAsync("/api/servers", new { name = "Šviesa app" });
        await response.AssertStatusAsync(HttpStatusCode.Accepted);
        var created = await response.JsonAsync();
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal($"/api/servers/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("creating", created.GetProperty("state").GetString());

        var running = await ServersFixture.WaitForStateAsync(fixture.Alice, id, "running");
        Assert.True(running.GetProperty("enabled").GetBoolean());
        Assert.Equal("Šviesa app", running.GetProperty("name").GetString());

        // The container is what the product says it is.
        var containers = Host.Services.GetRequiredService<ServerContainers>();
        var inspect = (await containers.InspectAsync(id, CancellationToken.None))!;
        Assert.Equal($"/hosting-users-dind-{id}", inspect.Name);
        Assert.Equal($"server{id}", inspect.Config!.Hostname);
        Assert.Equal(global::Docker.DotNet.Models.RestartPolicyKind.UnlessStopped, inspect.HostConfig!.RestartPolicy!.Name);
        Assert.Equal(1024L * 1024 * 1024, inspect.HostConfig.Memory);
        var directories = Host.Services.GetRequiredService<ServerDirectories>();
        Assert.Contains(inspect.Mounts, m => m.Source == directories.Apps(id) && m.Destination == "/apps");
        Assert.Contains(inspect.Mounts, m => m.Source == directories.Docker(id) && m.Destination == "/var/lib/docker");
        Assert.Contains(inspect.Mounts, m => m.Destination == "/etc/berth/engine-tls" && !m.RW);

        // Its own engine answers over mutual TLS and runs a container.
        await File.WriteAllTextAsync(Path.Combine(directories.Apps(id), "index.html"), "kept after delete");
        using (var inner = await fixture.InnerEngineAsync(id))
        {
            var output = await RunInsideAsync(inner, ["cat", "/proc/self/cgroup"]);
            Assert.False(string.IsNullOrEmpty(output));
        }

        var stopped = await fixture.Alice.PostAsync($"/api/servers/{id}/stop", null);
        await stopped.AssertStatusAsync(HttpStatusCode.OK);
        var afterStop = await stopped.JsonAsync();
        Assert.False(afterStop.GetProperty("enabled").GetBoolean());
        Assert.Equal("exited", afterStop.GetProperty("state").GetString());

        var started = await fixture.Alice.PostAsync($"/api/servers/{id}/start", null);
        await started.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("running", (await started.JsonAsync()).GetProperty("state").GetString());

        var renamed = await fixture.Alice.PatchAsJsonAsync($"/api/servers/{id}", new { name = "Renamed (v2)" });
        await renamed.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("Renamed (v2)", (await renamed.JsonAsync()).GetProperty("name").GetString());

        var deleted = await fixture.Alice.DeleteAsync($"/api/servers/{id}");
        await deleted.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Null(await containers.InspectAsync(id, CancellationToken.None));
        Assert.False(Directory.Exists(directories.ServerFolder(id)));
        var archive = Assert.Single(Directory.GetDirectories(directories.Root, $"{id}-deleted-*"));
        Assert.Equal("kept after delete", await File.ReadAllTextAsync(Path.Combine(archive, "apps", "index.html")));
        Assert.False(Directory.Exists(Path.Combine(archive, "docker")));
        await (await fixture.Alice.GetAsync($"/api/servers/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");

        await using var db = Host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContext();
        var row = await db.VirtualServers.SingleAsync(s => s.Id == id);
        Assert.True(row.Deleted);
        var messages = await db.RecentActivity.Where(a => a.UserId == fixture.AliceId).Select(a => a.Message).ToListAsync();
        Assert.Contains($"Virtual server #{id} created", messages);
        Assert.Contains($"Virtual server #{id} stopped", messages);
        Assert.Contains($"Virtual server #{id} started", messages);
        Assert.Contains($"Virtual server #{id} deleted", messages);
    }

    [Fact]
    public async Task AnotherUsersServer_AnswersExactlyLikeAMissingOne()
    {
        var id = await ServersFixture.CreateRunningServerAsync(fixture.Alice, "private box");
        const long Missing = 987654;

        foreach (var (method, path, body) in Calls(id).Zip(Calls(Missing), (a, b) => (a.Method, a.Path, (a, b))).Select(x => (x.Method, x.Path, x.Item3)))
        {
            var theirs = await SendAsync(fixture.Bob, body.a.Method, body.a.Path, body.a.Body);
            var missing = await SendAsync(fixture.Bob, body.b.Method, body.b.Path, body.b.Body);
            Assert.Equal(missing.StatusCode, theirs.StatusCode);
            var theirsProblem = await theirs.JsonAsync();
            var missingProblem = await missing.JsonAsync();
            Assert.Equal(missingProblem.GetProperty("code").GetString(), theirsProblem.GetProperty("code").GetString());
            Assert.Equal(missingProblem.GetProperty("detail").GetString(), theirsProblem.GetProperty("detail").GetString());
            Assert.True(theirs.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{method} {path}: {(int)theirs.StatusCode}");
        }

        var list = await fixture.Bob.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/servers?all=true");
        Assert.DoesNotContain(list.EnumerateArray(), s => s.GetProperty("id").GetInt64() == id);
        var asAdmin = await fixture.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/servers?all=true");
        Assert.Contains(asAdmin.EnumerateArray(), s => s.GetProperty("id").GetInt64() == id && s.GetProperty("ownerEmail").GetString() == "alice@example.com");

        // Nothing Bob sent changed Alice's server.
        var after = await fixture.Alice.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/servers/{id}");
        Assert.Equal(("private box", "running"), (after.GetProperty("name").GetString(), after.GetProperty("state").GetString()));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("name; rm -rf /")]
    [InlineData("$(reboot)")]
    [InlineData("a-dash")]
    [InlineData("1234567890123456789012345678901")]
    [InlineData("")]
    public async Task InvalidNames_AreRefused_AndNothingIsCreated(string name)
    {
        await using var db = Host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContext();
        var before = await db.VirtualServers.CountAsync();

        await (await fixture.Bob.PostAsJsonAsync("/api/servers", new { name })).AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_SERVER_NAME");

        Assert.Equal(before, await db.VirtualServers.CountAsync());
    }

    [Fact]
    public async Task Quota_IsEnforced_AndOnlyAdminsSetIt()
    {
        var carol = await fixture.Admin.CreateUserAsync("carol@example.com", "carol-password-1");
        using var client = await Host.LoginAsync("carol@example.com", "carol-password-1");

        await (await client.PutAsJsonAsync($"/api/users/{carol}/quota", new { maxServers = 9 })).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await (await fixture.Admin.PutAsJsonAsync($"/api/users/{carol}/quota", new { maxServers = -1 })).AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_QUOTA");
        await (await fixture.Admin.PutAsJsonAsync("/api/users/999999/quota", new { maxServers = 1 })).AssertProblemAsync(HttpStatusCode.NotFound, "USER_NOT_FOUND");
        await (await fixture.Admin.PutAsJsonAsync($"/api/users/{carol}/quota", new { maxServers = 0 })).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(0, (await fixture.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/users/{carol}/quota")).GetProperty("maxServers").GetInt32());

        await (await client.PostAsJsonAsync("/api/servers", new { name = "over quota" })).AssertProblemAsync(HttpStatusCode.Conflict, "QUOTA_EXCEEDED");
        Assert.Empty(await client.GetFromJsonAsync<System.Text.Json.JsonElement[]>("/api/servers") ?? []);
    }

    [Fact]
    public async Task Limits_AreSetByAdminsOnly_AppliedLive_AndEnforced()
    {
        var id = await ServersFixture.CreateRunningServerAsync(fixture.Alice, "limited");

        await (await fixture.Alice.PutAsJsonAsync($"/api/servers/{id}/limits", new { cpus = 4.0, memoryMb = 8192, pids = 100000 })).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await (await fixture.Admin.PutAsJsonAsync($"/api/servers/{id}/limits", new { cpus = 0.01 })).AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_LIMITS");
        var set = await fixture.Admin.PutAsJsonAsync($"/api/servers/{id}/limits", new { cpus = 0.5, memoryMb = 300, pids = 512 });
        await set.AssertStatusAsync(HttpStatusCode.OK);
        var limits = (await set.JsonAsync()).GetProperty("limits");
        Assert.Equal((0.5, 300L, 512L), (limits.GetProperty("cpus").GetDouble(), limits.GetProperty("memoryMb").GetInt64(), limits.GetProperty("pids").GetInt64()));

        var inspect = (await Host.Services.GetRequiredService<ServerContainers>().InspectAsync(id, CancellationToken.None))!;
        Assert.Equal(500_000_000L, inspect.HostConfig!.NanoCPUs);
        Assert.Equal(300L * 1024 * 1024, inspect.HostConfig.Memory);
        Assert.Equal(512L, inspect.HostConfig.PidsLimit);

        // A memory hog inside the server is killed at the server's limit.
        using var inner = await fixture.InnerEngineAsync(id);
        var busybox = await ServersFixture.CopyBusyboxAsync(inner);
        var hog = await inner.Containers.CreateAsync(new ContainerSpec { Image = busybox, Command = ["dd", "if=/dev/zero", "of=/dev/null", "bs=600M", "count=1"] }, CancellationToken.None);
        await inner.Containers.StartAsync(hog, CancellationToken.None);
        var result = await inner.Client.Containers.WaitContainerAsync(hog, CancellationToken.None);
        var state = (await inner.Containers.InspectAsync(hog, CancellationToken.None))!.State!;
        Assert.True(state.OOMKilled || result.StatusCode == 137, $"the hog exited {result.StatusCode} without being killed");
    }

    [Fact]
    public async Task Ids_AreNeverReused()
    {
        var first = await fixture.Bob.PostAsJsonAsync("/api/servers", new { name = "first one" });
        var firstId = (await first.JsonAsync()).GetProperty("id").GetInt64();
        await ServersFixture.WaitForStateAsync(fixture.Bob, firstId, "running");
        await (await fixture.Bob.DeleteAsync($"/api/servers/{firstId}")).AssertStatusAsync(HttpStatusCode.NoContent);

        var second = await fixture.Bob.PostAsJsonAsync("/api/servers", new { name = "second one" });
        var secondId = (await second.JsonAsync()).GetProperty("id").GetInt64();

        Assert.True(secondId > firstId);
        await ServersFixture.WaitForStateAsync(fixture.Bob, secondId, "running");
        await (await fixture.Bob.DeleteAsync($"/api/servers/{secondId}")).AssertStatusAsync(HttpStatusCode.NoContent);
    }

    private static async Task<string> RunInsideAsync(DockerEngine inner, IReadOnlyList<string> command)
    {
        var busybox = await ServersFixture.CopyBusyboxAsync(inner);
        var id = await inner.Containers.CreateAsync(new ContainerSpec { Image = busybox, Command = ["sleep", "30"] }, CancellationToken.None);
        await inner.Containers.StartAsync(id, CancellationToken.None);
        var result = await inner.Containers.ExecAsync(id, command, CancellationToken.None);
        await inner.Containers.RemoveAsync(id, CancellationToken.None);
        return result.StandardOutput;
    }

    private static IEnumerable<(string Method, string Path, object? Body)> Calls(long id) =>
    [
        ("GET", $"/api/servers/{id}", null),
        ("PATCH", $"/api/servers/{id}", new { name = "stolen name" }),
        ("POST", $"/api/servers/{id}/stop", null),
        ("POST", $"/api/servers/{id}/start", null),
        ("DELETE", $"/api/servers/{id}", null),
        ("PUT", $"/api/servers/{id}/limits", new { cpus = 1.0 }),
    ];

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path, object? body) =>
        client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : JsonContent.Create(body) });
}
