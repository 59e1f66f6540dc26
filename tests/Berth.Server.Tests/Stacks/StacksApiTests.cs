using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Server.Tests.Domains;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Stacks;

/// <summary>Compose stacks through the API on a real server with the real Compose inside it.</summary>
[Collection(SharedEngine.Name)]
public sealed class StacksApiTests(StacksFixture fixture) : IClassFixture<StacksFixture>
{
    private long Server => fixture.ServerId;

    private HttpClient Alice => fixture.Alice;

    [Fact]
    public async Task TwoServiceStack_IsValidatedRunRestartedLoggedTakenDownAndDeleted()
    {
        var compose = $$"""
            services:
              web:
                image: {{fixture.Busybox}}
                pull_policy: never
                command: ["sh", "-c", "echo duo-web > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"]
                ports:
                  - "8081:8080"
              worker:
                image: {{fixture.Busybox}}
                pull_policy: never
                command: ["sh", "-c", "echo worker-says-hello; echo worker-complains >&2; exec sleep 3600"]
            """;
        var validation = await (await Alice.PostAsJsonAsync($"/api/servers/{Server}/stacks/validate", new { compose, name = "duo" })).JsonAsync();
        Assert.True(validation.GetProperty("valid").GetBoolean(), validation.ToString());

        await fixture.CreateStackAsync("duo", compose);
        Assert.Equal(compose, await File.ReadAllTextAsync(Path.Combine(fixture.StackFolder("duo"), "compose.yaml")));

        var up = await fixture.RunAsync("duo", "up");
        Assert.Contains(up, e => e.EventType == "line");

        // The monitor's rows show both services running.
        var running = await Poll.UntilAsync(
            () => fixture.FindStackAsync("duo"),
            s => s?.GetProperty("status").GetString() == "running" && s.Value.GetProperty("services").GetArrayLength() == 2,
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));
        Assert.True(running?.GetProperty("status").GetString() == "running", $"duo: {running}");
        Assert.Equal("/apps/stacks/duo", running!.Value.GetProperty("folder").GetString());
        Assert.Equal(["web", "worker"], running.Value.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("service").GetString()));

        // The web service answers (asked from inside its own container, as the server's engine runs it).
        using var inner = await fixture.Servers.InnerEngineAsync(Server);
        var page = await Poll.UntilAsync(
            () => inner.Containers.ExecAsync("duo-web-1", ["wget", "-q", "-O", "-", "http://127.0.0.1:8080/index.html"], CancellationToken.None),
            r => r.ExitCode == 0, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250));
        Assert.Equal("duo-web", page.StandardOutput.Trim());

        await fixture.RunAsync("duo", "restart");

        var logs = await Poll.UntilAsync(
            () => Alice.GetStringAsync($"/api/servers/{Server}/stacks/duo/logs?service=worker&tail=50"),
            text => text.Contains("worker-complains", StringComparison.Ordinal), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250));
        var lines = logs.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Each line keeps the stream the service wrote it to, as the server's engine recorded it.
        Assert.All(lines.Where(l => l.Contains("worker-says-hello", StringComparison.Ordinal)), l => Assert.StartsWith("stdout ", l, StringComparison.Ordinal));
        Assert.All(lines.Where(l => l.Contains("worker-complains", StringComparison.Ordinal)), l => Assert.StartsWith("stderr ", l, StringComparison.Ordinal));
        // Restarted once: the line is there twice, each with Docker's timestamp.
        Assert.Equal(2, lines.Count(l => l.Contains("worker-says-hello", StringComparison.Ordinal)));
        Assert.All(lines, l => Assert.Matches(@"^(stdout|stderr) worker-1 \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ", l));
        Assert.DoesNotContain("duo-web", logs, StringComparison.Ordinal);

        await fixture.RunAsync("duo", "down");
        var down = await Poll.UntilAsync(
            () => fixture.FindStackAsync("duo"),
            s => s?.GetProperty("status").GetString() == "no-containers", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));
        Assert.Equal("no-containers", down?.GetProperty("status").GetString());

        await (await Alice.DeleteAsync($"/api/servers/{Server}/stacks/duo")).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.False(Directory.Exists(fixture.StackFolder("duo")));
        var trashed = Directory.GetDirectories(Path.Combine(fixture.Directories.Apps(Server), ".trash", "stacks"), "duo-*");
        Assert.Equal(compose, await File.ReadAllTextAsync(Path.Combine(Assert.Single(trashed), "compose.yaml")));
        await (await Alice.GetAsync($"/api/servers/{Server}/stacks/duo")).AssertProblemAsync(HttpStatusCode.NotFound, "STACK_NOT_FOUND");

        var activity = await fixture.Servers.Host.ActivityMessagesAsync();
        Assert.Contains($"Stack \"duo\" created on virtual server #{Server}", activity);
        Assert.Contains($"Stack \"duo\" up on virtual server #{Server}", activity);
        Assert.Contains($"Stack \"duo\" deleted from virtual server #{Server}", activity);
    }

    [Fact]
    public async Task FollowingTheLogs_ShowsNewLinesOfBothStreamsAsTheyAreWritten_AndTailZeroNothingOlder()
    {
        var compose = $$"""
            services:
              ticker:
                image: {{fixture.Busybox}}
                pull_policy: never
                command: ["sh", "-c", "echo before-follow; i=0; while :; do i=$((i+1)); echo tick-$i; echo tock-$i >&2; sleep 1; done"]
            """;
        await fixture.CreateStackAsync("ticker", compose);
        try
        {
            await fixture.RunAsync("ticker", "up");
            // Once the service has written something, a follower asking for no old lines gets only new ones.
            await Poll.UntilAsync(
                () => Alice.GetStringAsync($"/api/servers/{Server}/stacks/ticker/logs?tail=5"),
                text => text.Contains("tick-2", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));

            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var response = await Alice.GetAsync($"/api/servers/{Server}/stacks/ticker/logs?follow=true&tail=0", HttpCompletionOption.ResponseHeadersRead, bound.Token);
            // Not AssertStatusAsync: its message reads the whole body, and a follow does not end.
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(bound.Token));
            var seen = new List<string>();
            while (!(seen.Any(l => l.StartsWith("stdout ticker-1 | ", StringComparison.Ordinal) && l.Contains(" tick-", StringComparison.Ordinal))
                && seen.Any(l => l.StartsWith("stderr ticker-1 | ", StringComparison.Ordinal) && l.Contains(" tock-", StringComparison.Ordinal))))
            {
                seen.Add(await reader.ReadLineAsync(bound.Token) ?? throw new InvalidOperationException($"the follow ended: {string.Join(" / ", seen)}"));
            }

            Assert.DoesNotContain(seen, l => l.Contains("before-follow", StringComparison.Ordinal) || l.EndsWith(" tick-1", StringComparison.Ordinal));
        }
        finally
        {
            await fixture.RunAsync("ticker", "down");
            await (await Alice.DeleteAsync($"/api/servers/{Server}/stacks/ticker")).AssertStatusAsync(HttpStatusCode.NoContent);
        }
    }

    [Fact]
    public async Task BrokenYamlAndAnUnknownKey_Give400WithTheLine_AndNothingIsWrittenOrRun()
    {
        var broken = $"services:\n  web:\n    image: {fixture.Busybox}\n    command: [\"sleep\", \"1\"\n";
        var unknown = $"services:\n  web:\n    image: {fixture.Busybox}\n    imagee: typo\n";
        foreach (var (compose, line, words) in new[] { (broken, 5, "YAML"), (unknown, 4, "imagee") })
        {
            var refused = await (await Alice.PostAsJsonAsync($"/api/servers/{Server}/stacks", new { name = "bad", compose }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, "STACK_INVALID");
            var messages = refused.GetProperty("messages").EnumerateArray().ToList();
            Assert.Contains(messages, m => m.GetProperty("severity").GetString() == "error"
                && m.GetProperty("line").ValueKind == JsonValueKind.Number && m.GetProperty("line").GetInt32() == line
                && m.GetProperty("message").GetString()!.Contains(words, StringComparison.Ordinal));

            var validation = await (await Alice.PostAsJsonAsync($"/api/servers/{Server}/stacks/validate", new { compose })).JsonAsync();
            Assert.False(validation.GetProperty("valid").GetBoolean());
            Assert.Contains(validation.GetProperty("messages").EnumerateArray(), m => m.GetProperty("line").ValueKind == JsonValueKind.Number);
        }

        // Compose's own parser inside the server refuses what Berth's reading lets through.
        var wrongType = await (await Alice.PostAsJsonAsync($"/api/servers/{Server}/stacks/validate", new { compose = $"services:\n  web:\n    image: {fixture.Busybox}\n    restart: [1, 2]\n" })).JsonAsync();
        Assert.False(wrongType.GetProperty("valid").GetBoolean(), wrongType.ToString());
        Assert.Contains(wrongType.GetProperty("messages").EnumerateArray(), m => m.GetProperty("message").GetString()!.StartsWith("docker compose config:", StringComparison.Ordinal));

        Assert.False(Directory.Exists(fixture.StackFolder("bad")));
        Assert.Null(await fixture.FindStackAsync("bad"));
    }

    [Fact]
    public async Task UpOutput_IsReadableBeforeTheActionEnds_AttachingReplaysIt_AndASecondUpGets409()
    {
        // `up -d` waits for the gate to be healthy, and it is only once the test says so: the action
        // is surely still running while its first lines are read.
        await fixture.CreateStackAsync("gated", $$"""
            services:
              gate:
                image: {{fixture.Busybox}}
                pull_policy: never
                command: ["sleep", "3600"]
                volumes: ["./:/stack"]
                healthcheck:
                  test: ["CMD", "test", "-f", "/stack/go"]
                  interval: 1s
                  timeout: 2s
                  retries: 10000
              after:
                image: {{fixture.Busybox}}
                pull_policy: never
                command: ["sleep", "3600"]
                depends_on:
                  gate:
                    condition: service_healthy
            """);
        var operation = await fixture.StartAsync("gated", "up");
        var state = await Poll.UntilAsync(
            async () => await (await Alice.GetAsync($"/api/servers/{Server}/operations/{operation}")).JsonAsync(),
            s => s.GetProperty("state").GetString() != "running" || s.GetProperty("output").EnumerateArray().Any(l => l.GetProperty("text").GetString()!.Contains("Waiting", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));
        Assert.True(state.GetProperty("state").GetString() == "running", $"up ended before the gate opened: {state}");
        Assert.Equal(JsonValueKind.Null, state.GetProperty("exitCode").ValueKind);
        var early = state.GetProperty("output").EnumerateArray().Select(l => l.GetProperty("text").GetString()).ToList();
        Assert.Equal(operation, (await fixture.FindStackAsync("gated"))?.GetProperty("runningOperationId").GetString());

        var second = await Alice.PostAsync($"/api/servers/{Server}/stacks/gated/actions/up", null);
        var busy = await second.AssertProblemAsync(HttpStatusCode.Conflict, "STACK_BUSY");
        Assert.Equal(operation, busy.GetProperty("operationId").GetString());
        await (await Alice.PostAsync($"/api/servers/{Server}/stacks/gated/actions/down", null)).AssertProblemAsync(HttpStatusCode.Conflict, "STACK_BUSY");

        await File.WriteAllTextAsync(Path.Combine(fixture.StackFolder("gated"), "go"), "");
        // Attached after the start: the lines read early come again, first, then the rest and the end.
        var rest = await fixture.StreamAsync(operation, _ => false);
        Assert.Equal(early, rest.Where(e => e.EventType == "line").Take(early.Count).Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("text").GetString()));
        var end = rest[^1];
        Assert.Equal("end", end.EventType);
        using (var data = JsonDocument.Parse(end.Data))
        {
            Assert.Equal("succeeded", data.RootElement.GetProperty("state").GetString());
            Assert.Equal(0, data.RootElement.GetProperty("exitCode").GetInt64());
        }

        var done = await (await Alice.GetAsync($"/api/servers/{Server}/operations/{operation}")).JsonAsync();
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal(rest.Count(e => e.EventType == "line"), done.GetProperty("output").GetArrayLength());
        await fixture.RunAsync("gated", "down");
    }

    [Fact]
    public async Task AnotherUser_GetsTheMissingServers404_OnEveryStackRouteAndStream()
    {
        await fixture.CreateStackAsync("private", $"services:\n  web:\n    image: {fixture.Busybox}\n    pull_policy: never\n    command: [\"true\"]\n");
        var operation = await fixture.StartAsync("private", "stop");
        foreach (var (client, server) in new[] { (fixture.Servers.Bob, Server), (Alice, 999_999L) })
        {
            foreach (var request in AllRoutes(server, operation))
            {
                var response = await client.SendAsync(request);
                await response.AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
            }
        }

        Assert.True(File.Exists(Path.Combine(fixture.StackFolder("private"), "compose.yaml")));
        var admin = await (await fixture.Servers.Admin.GetAsync($"/api/servers/{Server}/operations/{operation}")).JsonAsync();
        Assert.Equal("stop", admin.GetProperty("action").GetString());
    }

    [Theory]
    [InlineData("a;rm -rf /")]
    [InlineData("$(id)")]
    [InlineData("--help")]
    [InlineData("-f/etc/x")]
    public async Task InjectedNames_AreRefusedOnEveryRoute_AndNothingIsWritten(string name)
    {
        var compose = $"services:\n  web:\n    image: {fixture.Busybox}\n";
        await (await Alice.PostAsJsonAsync($"/api/servers/{Server}/stacks", new { name, compose })).AssertProblemAsync(HttpStatusCode.BadRequest, "STACK_NAME_INVALID");
        await (await Alice.PostAsJsonAsync($"/api/servers/{Server}/stacks/validate", new { name, compose })).AssertProblemAsync(HttpStatusCode.BadRequest, "STACK_NAME_INVALID");
        var escaped = Uri.EscapeDataString(name);
        foreach (var request in StackRoutes(Server, escaped))
        {
            var response = await Alice.SendAsync(request);
            await response.AssertProblemAsync(HttpStatusCode.BadRequest, "STACK_NAME_INVALID");
        }

        if (!Directory.Exists(Path.Combine(fixture.Directories.Apps(Server), "stacks", "inert")))
        {
            await fixture.CreateStackAsync("inert", compose);
        }

        var service = await Alice.GetAsync($"/api/servers/{Server}/stacks/inert/logs?service={escaped}");
        await service.AssertProblemAsync(HttpStatusCode.BadRequest, "SERVICE_NAME_INVALID");
        var stacks = Path.Combine(fixture.Directories.Apps(Server), "stacks");
        Assert.All(Directory.GetDirectories(stacks).Select(Path.GetFileName), n => Assert.Matches("^[a-z0-9][a-z0-9_-]*$", n));
    }

    private static IEnumerable<HttpRequestMessage> StackRoutes(long server, string name)
    {
        var compose = JsonContent.Create(new { compose = "services: {}" });
        yield return new HttpRequestMessage(HttpMethod.Get, $"/api/servers/{server}/stacks/{name}");
        yield return new HttpRequestMessage(HttpMethod.Put, $"/api/servers/{server}/stacks/{name}") { Content = compose };
        yield return new HttpRequestMessage(HttpMethod.Delete, $"/api/servers/{server}/stacks/{name}");
        foreach (var action in new[] { "up", "down", "restart", "stop", "start", "pull" })
        {
            yield return new HttpRequestMessage(HttpMethod.Post, $"/api/servers/{server}/stacks/{name}/actions/{action}");
        }

        yield return new HttpRequestMessage(HttpMethod.Get, $"/api/servers/{server}/stacks/{name}/logs?tail=10");
    }

    private static IEnumerable<HttpRequestMessage> AllRoutes(long server, string operation)
    {
        var compose = new { name = "private", compose = "services:\n  web:\n    image: x\n" };
        yield return new HttpRequestMessage(HttpMethod.Get, $"/api/servers/{server}/stacks");
        yield return new HttpRequestMessage(HttpMethod.Post, $"/api/servers/{server}/stacks") { Content = JsonContent.Create(compose) };
        yield return new HttpRequestMessage(HttpMethod.Post, $"/api/servers/{server}/stacks/validate") { Content = JsonContent.Create(compose) };
        foreach (var request in StackRoutes(server, "private"))
        {
            yield return request;
        }

        yield return new HttpRequestMessage(HttpMethod.Get, $"/api/servers/{server}/stacks/private/logs?follow=true");
        yield return new HttpRequestMessage(HttpMethod.Get, $"/api/servers/{server}/operations/{operation}");
        yield return new HttpRequestMessage(HttpMethod.Get, $"/api/servers/{server}/operations/{operation}/stream");
    }
}
