using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core.Data;
using Berth.Core.Monitoring;
using Berth.Core.Servers;
using Berth.Docker;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Berth.Server.Tests.Monitoring;

/// <summary>
/// The monitor inside <c>berth serve</c> against a real virtual server: state and stacks from the
/// container rows, usage history, host totals and live event streams, each authorised per server.
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class ServerMonitoringTests(MonitoringFixture fixture) : IClassFixture<MonitoringFixture>
{
    private const long Missing = 987654;
    private static readonly TimeSpan FewSeconds = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ServerCreatedThroughTheApi_ShowsTheStateOfItsContainerRow()
    {
        var name = ServerContainers.ContainerName(fixture.ServerId);
        await using (var db = Context())
        {
            var row = await EventuallyAsync(
                () => db.DockerContainers.AsNoTracking().SingleOrDefaultAsync(c => c.ParentServerId == VirtualServer.HostId && c.Names == name),
                r => r is { State: "running" },
                "the server's container row");
            Assert.StartsWith("Up ", row!.Status, StringComparison.Ordinal);
        }

        // The row, not a fresh engine call, is what the API shows: mark it and read it back.
        await using (var db = Context())
        {
            await db.DockerContainers.Where(c => c.ParentServerId == VirtualServer.HostId && c.Names == name)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, "Up (as the row says)"));
        }

        var server = await fixture.Alice.GetFromJsonAsync<JsonElement>($"/api/servers/{fixture.ServerId}");
        Assert.Equal(("running", "Up (as the row says)"), (server.GetProperty("state").GetString(), server.GetProperty("status").GetString()));
        var listed = await fixture.Alice.GetFromJsonAsync<JsonElement>("/api/servers");
        Assert.Contains(listed.EnumerateArray(), s => s.GetProperty("id").GetInt64() == fixture.ServerId && s.GetProperty("status").GetString() == "Up (as the row says)");
    }

    [Fact]
    public async Task ContainerStartedInsideTheServer_AppearsInItsStacksAndOnTheStream()
    {
        await using var events = await EventSourceClient.OpenAsync(fixture.Alice, $"/api/servers/{fixture.ServerId}/events");
        using var inner = await fixture.InnerAsync();
        var web = await inner.Containers.CreateAsync(
            new ContainerSpec
            {
                Image = fixture.Busybox,
                Name = "shop-web-1",
                Command = ["sleep", "600"],
                Labels = new Dictionary<string, string> { ["com.docker.compose.project"] = "shop" },
            },
            CancellationToken.None);
        var loose = await inner.Containers.CreateAsync(new ContainerSpec { Image = fixture.Busybox, Name = "loose-one", Command = ["sleep", "600"] }, CancellationToken.None);
        await inner.Containers.StartAsync(web, CancellationToken.None);

        var started = await events.NextAsync(
            e => e.Type == "container" && e.Data.GetProperty("name").GetString() == "shop-web-1" && e.Data.GetProperty("state").GetString() == "running",
            FewSeconds,
            "running event of shop-web-1");
        Assert.Equal(fixture.ServerId, started.Data.GetProperty("serverId").GetInt64());
        Assert.Equal(fixture.ServerId, started.Data.GetProperty("parentServerId").GetInt64());
        Assert.Equal(web[..12], started.Data.GetProperty("dockerId").GetString());

        var server = await fixture.ServerEventuallyAsync(
            s => Stack(s, "shop") is { } shop && shop.GetProperty("containers").EnumerateArray().Any(c => c.GetProperty("name").GetString() == "shop-web-1" && c.GetProperty("state").GetString() == "running")
                && Stack(s, null) is { } rest && rest.GetProperty("containers").EnumerateArray().Any(c => c.GetProperty("name").GetString() == "loose-one"),
            "shop stack with shop-web-1 running and loose-one in the stack-less group");
        var container = Stack(server, "shop")!.Value.GetProperty("containers").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "shop-web-1");
        Assert.Equal(fixture.Busybox, container.GetProperty("image").GetString());
        Assert.StartsWith("Up ", container.GetProperty("status").GetString(), StringComparison.Ordinal);
        var stacks = server.GetProperty("stacks").EnumerateArray().ToList();
        Assert.Equal(JsonValueKind.Null, stacks[^1].GetProperty("name").ValueKind);

        await inner.Containers.RemoveAsync(web, CancellationToken.None);
        await events.NextAsync(e => e.Type == "container-removed" && e.Data.GetProperty("dockerId").GetString() == web[..12], FewSeconds, "removal of shop-web-1");
        await inner.Containers.RemoveAsync(loose, CancellationToken.None);
        await fixture.ServerEventuallyAsync(s => Stack(s, "shop") is null && Stack(s, null) is null, "no stacks once the containers are removed");
    }

    [Fact]
    public async Task EventStreams_NeverCarryAnotherTenantsServer()
    {
        await using var alice = await EventSourceClient.OpenAsync(fixture.Alice, "/api/events");
        await using var bob = await EventSourceClient.OpenAsync(fixture.Bob, "/api/events");
        await using var admin = await EventSourceClient.OpenAsync(fixture.Admin, "/api/events");
        using var inner = await fixture.InnerAsync();
        var id = await inner.Containers.CreateAsync(new ContainerSpec { Image = fixture.Busybox, Name = "private-work", Command = ["sleep", "600"] }, CancellationToken.None);
        await inner.Containers.StartAsync(id, CancellationToken.None);

        bool Running((string Type, JsonElement Data) e) =>
            e.Type == "container" && e.Data.GetProperty("dockerId").GetString() == id[..12] && e.Data.GetProperty("state").GetString() == "running";
        await alice.NextAsync(Running, FewSeconds, "Alice's running event");
        await admin.NextAsync(Running, FewSeconds, "the admin's running event");
        // Alice's stream has it; Bob's, two heartbeats later, still has nothing of her server.
        await bob.NextAsync(e => e.Type == "heartbeat", FewSeconds, "a heartbeat");
        await bob.NextAsync(e => e.Type == "heartbeat", FewSeconds, "a second heartbeat");
        Assert.DoesNotContain(bob.Seen, e => e.Data.TryGetProperty("serverId", out var s) && s.GetInt64() == fixture.ServerId);
        Assert.DoesNotContain(bob.Seen, e => e.Type is "container" or "container-removed" or "server");
        await inner.Containers.RemoveAsync(id, CancellationToken.None);

        // Bob cannot open her server's stream: the same answer as a missing server.
        var theirs = await fixture.Bob.GetAsync($"/api/servers/{fixture.ServerId}/events");
        var missing = await fixture.Bob.GetAsync($"/api/servers/{Missing}/events");
        await AssertSameNotFoundAsync(theirs, missing);
    }

    [Fact]
    public async Task ServerCreation_EndsWithAServerEvent_WhenTheApiSaysRunning()
    {
        // A client waits for its new server the way the panel does: a "server" event, then a read.
        // The container is running (and says so on the stream) well before its engine answers, so
        // only an event sent after the row says "running" lets the client stop waiting without polling.
        await using var events = await EventSourceClient.OpenAsync(fixture.Alice, "/api/events");
        var response = await fixture.Alice.PostAsJsonAsync("/api/servers", new { name = "announced box" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        try
        {
            var deadline = TimeProvider.System.GetTimestamp() + (90 * TimeProvider.System.TimestampFrequency);
            string? state;
            do
            {
                var left = TimeSpan.FromSeconds(Math.Max(1, (deadline - TimeProvider.System.GetTimestamp()) / (double)TimeProvider.System.TimestampFrequency));
                await events.NextAsync(e => e.Type == "server" && e.Data.GetProperty("serverId").GetInt64() == id, left, $"server event for server {id} after which it reads as running");
                state = (await fixture.Alice.GetFromJsonAsync<JsonElement>($"/api/servers/{id}")).GetProperty("state").GetString();
                Assert.NotEqual("failed", state);
            }
            while (state != "running");
        }
        finally
        {
            await fixture.Alice.DeleteAsync($"/api/servers/{id}");
        }
    }

    [Fact]
    public async Task AServerTheAdminDeletes_IsAnnouncedToItsOwner_OnceItIsGone()
    {
        // The owner's open page reloads on this event; the container's own removal comes before the row
        // is marked deleted, so a reload on that alone found the server still there (15–25 s of a dead page).
        var aliceId = (await fixture.Alice.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("id").GetInt64();
        var id = await Domains.DomainTestSteps.InsertServerAsync(fixture.Host, aliceId);
        await using var events = await EventSourceClient.OpenAsync(fixture.Alice, "/api/events");

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Admin.DeleteAsync($"/api/servers/{id}")).StatusCode);

        var deleted = await events.NextAsync(
            e => e.Type == "server" && e.Data.GetProperty("serverId").GetInt64() == id, FewSeconds, $"a server event for server {id}");
        Assert.Equal("deleted", deleted.Data.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Alice.GetAsync($"/api/servers/{id}")).StatusCode);
    }

    [Fact]
    public async Task ClientLeaving_EndsItsSubscription()
    {
        var feed = fixture.Host.Services.GetRequiredService<ContainerChangeFeed>();
        var before = feed.SubscriberCount;
        var stream = await EventSourceClient.OpenAsync(fixture.Alice, $"/api/servers/{fixture.ServerId}/events");
        Assert.Equal(before + 1, feed.SubscriberCount);
        await stream.NextAsync(e => e.Type == "heartbeat", FewSeconds, "a heartbeat");

        await stream.DisposeAsync();

        await EventuallyAsync(() => Task.FromResult(feed.SubscriberCount), n => n == before, "the subscription to end");
    }

    [Fact]
    public async Task Usage_ReturnsPointsToTheOwner_AndAnswersOthersLikeAMissingServer()
    {
        var sampler = fixture.Host.Services.GetServices<IHostedService>().OfType<ServerUsageMonitor>().Single();
        await EventuallyAsync(() => sampler.SampleAllAsync(CancellationToken.None), n => n >= 1, "a usage sample of the server");
        await sampler.SampleAllAsync(CancellationToken.None);

        var usage = await fixture.Alice.GetFromJsonAsync<JsonElement>($"/api/servers/{fixture.ServerId}/usage");
        Assert.Equal(fixture.ServerId, usage.GetProperty("serverId").GetInt64());
        var points = usage.GetProperty("points").EnumerateArray().ToList();
        Assert.True(points.Count >= 2, usage.ToString());
        Assert.All(points, p => Assert.True(p.GetProperty("memoryBytes").GetInt64() > 0, p.ToString()));
        Assert.All(points, p => Assert.Equal(1024L * 1024 * 1024, p.GetProperty("memoryLimitBytes").GetInt64()));
        Assert.Contains(points, p => p.GetProperty("cpuPercent").ValueKind == JsonValueKind.Number);
        var asAdmin = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/servers/{fixture.ServerId}/usage?since=2000-01-01");
        Assert.Equal(points.Count, asAdmin.GetProperty("points").GetArrayLength());
        var future = await fixture.Alice.GetFromJsonAsync<JsonElement>($"/api/servers/{fixture.ServerId}/usage?since=2999-01-01T00:00:00Z");
        Assert.Equal(0, future.GetProperty("points").GetArrayLength());

        await AssertSameNotFoundAsync(
            await fixture.Bob.GetAsync($"/api/servers/{fixture.ServerId}/usage"),
            await fixture.Bob.GetAsync($"/api/servers/{Missing}/usage"));
        foreach (var bad in new[] { "yesterday", "2026-13-01", "1700000000", "2026-11-25T10:00:00Z;DROP" })
        {
            await (await fixture.Alice.GetAsync($"/api/servers/{fixture.ServerId}/usage?since={Uri.EscapeDataString(bad)}"))
                .AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_SINCE");
        }
    }

    [Fact]
    public async Task Dashboard_HasHostTotalsForAdmins_AndIsRefusedToUsers()
    {
        var sampler = fixture.Host.Services.GetServices<IHostedService>().OfType<ServerUsageMonitor>().Single();
        await EventuallyAsync(() => sampler.SampleAllAsync(CancellationToken.None), n => n >= 1, "a usage sample of the server");

        var response = await fixture.Admin.GetAsync("/api/dashboard");

        await response.AssertStatusAsync(HttpStatusCode.OK);
        var dashboard = await response.JsonAsync();
        Assert.True(dashboard.GetProperty("virtualServersTotal").GetInt32() >= 1);
        var host = dashboard.GetProperty("host");
        Assert.True(host.GetProperty("serversReporting").GetInt32() >= 1, host.ToString());
        Assert.True(host.GetProperty("memoryBytes").GetInt64() > 0, host.ToString());
        Assert.True(host.GetProperty("cpuPercent").GetDouble() >= 0, host.ToString());
        Assert.Equal(JsonValueKind.Number, host.GetProperty("diskBytes").ValueKind);
        var containers = host.GetProperty("containers");
        Assert.True(containers.GetProperty("hostRunning").GetInt32() >= 1, containers.ToString());
        Assert.True(containers.GetProperty("host").GetInt32() >= containers.GetProperty("hostRunning").GetInt32());
        Assert.True(containers.GetProperty("inner").GetInt32() >= 0);

        await (await fixture.Alice.GetAsync("/api/dashboard")).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    private static JsonElement? Stack(JsonElement server, string? name)
    {
        foreach (var stack in server.GetProperty("stacks").EnumerateArray())
        {
            var stackName = stack.GetProperty("name");
            if (name is null ? stackName.ValueKind == JsonValueKind.Null : stackName.ValueKind == JsonValueKind.String && stackName.GetString() == name)
            {
                return stack;
            }
        }

        return null;
    }

    private static async Task AssertSameNotFoundAsync(HttpResponseMessage theirs, HttpResponseMessage missing)
    {
        var theirsProblem = await theirs.AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
        var missingProblem = await missing.AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
        Assert.Equal(missingProblem.GetProperty("detail").GetString(), theirsProblem.GetProperty("detail").GetString());
    }

    private BerthDbContext Context() => fixture.Host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContext();

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, int seconds = 15)
    {
        var value = await Poll.UntilAsync(read, condition, TimeSpan.FromSeconds(seconds));
        Assert.True(condition(value), $"no {what} within {seconds} s; last: {value}");
        return value;
    }
}
