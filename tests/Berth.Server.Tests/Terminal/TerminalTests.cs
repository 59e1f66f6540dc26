using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core.Servers;
using Berth.Core.Terminal;
using Berth.Server.Tests.Infrastructure;
using Berth.Server.Tests.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Terminal;

/// <summary>The web terminal over its WebSocket, against a real DinD server: a real bash, real processes.</summary>
[Collection(SharedEngine.Name)]
public sealed class TerminalTests(TerminalFixture fixture) : IClassFixture<TerminalFixture>
{
    private BerthTestHost Host => fixture.Host;

    private HttpClient Alice => fixture.Alice;

    private long Server => fixture.AliceServer;

    [Fact]
    public async Task Shell_RunsBashAsRootInApps_WithUtf8_AndWritesAnActivityRow()
    {
        await using var terminal = await TerminalClient.ConnectAsync(Host, Alice, Server);
        Assert.NotNull(terminal.SessionId);
        await terminal.TypeAsync("echo $((6*7)) ąčę; echo \"$(id -u):$PWD:$TERM\"\r");
        await terminal.WaitForOutputAsync("42 ąčę");
        await terminal.WaitForOutputAsync("0:/apps:xterm-256color");

        var activity = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/activity");
        Assert.Contains(Rows(activity), m => m == $"Terminal opened on virtual server #{Server}");
        await terminal.ControlAsync("""{"type":"close"}""");
    }

    [Fact]
    public async Task Size_IsSetAtStart_AndFollowsResize()
    {
        await using var terminal = await TerminalClient.ConnectAsync(Host, Alice, Server, query: "cols=100&rows=30");
        await terminal.TypeAsync("stty size\r");
        await terminal.WaitForOutputAsync("30 100");
        await terminal.ControlAsync("""{"type":"resize","cols":132,"rows":43}""");
        await terminal.TypeAsync("stty size\r");
        await terminal.WaitForOutputAsync("43 132");

        // Out-of-bounds and unknown control messages are ignored; the shell carries on.
        await terminal.ControlAsync("""{"type":"resize","cols":100000,"rows":-1}""");
        await terminal.ControlAsync("""{"type":"dance"}""");
        await terminal.TypeAsync("stty size; echo still-$((1+1))\r");
        await terminal.WaitForOutputAsync("still-2");
        Assert.DoesNotContain("-1 100000", terminal.Output, StringComparison.Ordinal);
        await terminal.ControlAsync("""{"type":"close"}""");
    }

    [Fact]
    public async Task Exit_SendsTheExitCode()
    {
        await using var terminal = await TerminalClient.ConnectAsync(Host, Alice, Server);
        await terminal.TypeAsync("exit 3\r");
        var exit = await terminal.WaitForEventAsync("exit");
        Assert.Equal(3, exit.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task Tickets_AreOneUse_AndBoundToTheirServer()
    {
        var ticket = await TerminalClient.TicketAsync(Alice, Server);
        await using (await TerminalClient.ConnectAsync(Host, Alice, Server, ticket))
        {
        }

        Assert.Equal(HttpStatusCode.Forbidden, await TerminalClient.RefusalAsync(Host, Alice, Server, ticket));
        Assert.Equal(HttpStatusCode.Forbidden, await TerminalClient.RefusalAsync(Host, Alice, Server, "made-up"));

        // A ticket for another server of the same user does not open this one.
        var other = await ServersFixture.CreateRunningServerAsync(Alice, "second box");
        var otherTicket = await TerminalClient.TicketAsync(Alice, other);
        Assert.Equal(HttpStatusCode.Forbidden, await TerminalClient.RefusalAsync(Host, Alice, Server, otherTicket));
        Assert.Equal(HttpStatusCode.NoContent, (await Alice.DeleteAsync($"/api/servers/{other}")).StatusCode);
    }

    [Fact]
    public async Task AnotherUser_GetsTheMissingServers404_BeforeTheUpgrade()
    {
        var bob = fixture.Bob;
        var mint = await bob.PostAsync($"/api/servers/{Server}/terminal/tickets", null);
        Assert.Equal(HttpStatusCode.NotFound, mint.StatusCode);
        var missing = await bob.PostAsync("/api/servers/999999/terminal/tickets", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(WithoutTraceId(await missing.Content.ReadAsStringAsync()), WithoutTraceId(await mint.Content.ReadAsStringAsync()));

        // Even holding Alice's ticket, Bob's upgrade is the missing server's 404.
        var ticket = await TerminalClient.TicketAsync(Alice, Server);
        Assert.Equal(HttpStatusCode.NotFound, await TerminalClient.RefusalAsync(Host, bob, Server, ticket));
        Assert.Equal(HttpStatusCode.NotFound, await TerminalClient.RefusalAsync(Host, bob, 999999, ticket));

        // An admin may open it.
        await using var admin = await TerminalClient.ConnectAsync(Host, fixture.Admin, Server);
        await admin.TypeAsync("echo admin-$((2*3))\r");
        await admin.WaitForOutputAsync("admin-6");
        await admin.ControlAsync("""{"type":"close"}""");
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("null")]
    [InlineData(null)]
    public async Task ForeignSiblingAndMissingOrigins_AreRefused(string? origin)
    {
        var ticket = await TerminalClient.TicketAsync(Alice, Server);
        Assert.Equal(HttpStatusCode.Forbidden, await TerminalClient.RefusalAsync(Host, Alice, Server, ticket, origin));
    }

    [Fact]
    public async Task SiblingPortOfThePanel_IsRefused()
    {
        var panel = Host.BaseAddress;
        var sibling = $"{panel.Scheme}://{panel.Host}:{(panel.Port == 65535 ? panel.Port - 1 : panel.Port + 1)}";
        var ticket = await TerminalClient.TicketAsync(Alice, Server);
        Assert.Equal(HttpStatusCode.Forbidden, await TerminalClient.RefusalAsync(Host, Alice, Server, ticket, sibling));
    }

    [Fact]
    public async Task LoggedOutCookie_AndNoCookie_AreRefused_AndLogoutEndsTheTerminal()
    {
        var carol = await Host.LoginAsync("alice@example.com", ServersFixture.AlicePassword);
        await using var open = await TerminalClient.ConnectAsync(Host, carol, Server);
        var ticket = await TerminalClient.TicketAsync(carol, Server);
        var token = Host.SessionTokenOf(carol);
        Assert.Equal(HttpStatusCode.NoContent, (await carol.PostAsync("/api/auth/logout", null)).StatusCode);

        // The terminal opened in that session ends, with a clear reason.
        var closed = await open.WaitForEventAsync("closed");
        Assert.Equal(TerminalEndReasons.SessionEnded, closed.GetProperty("reason").GetString());

        // The old cookie (replayed) and no cookie at all: refused before the upgrade.
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(token, ticket));
        Assert.Equal(HttpStatusCode.Unauthorized, await TerminalClient.RefusalAsync(Host, Alice, Server, ticket, cookie: false));
    }

    [Fact]
    public async Task Resume_AfterADrop_ReachesTheSameShell_WithTheOutputReplayed()
    {
        var terminal = await TerminalClient.ConnectAsync(Host, Alice, Server);
        await terminal.TypeAsync("echo pid-$$-end; echo before-drop\r");
        Assert.True(await Poll.UntilAsync(() => PidIn(terminal.Output) is not null), terminal.Output);
        var pid = PidIn(terminal.Output);
        var session = terminal.SessionId!;
        terminal.Drop();
        await terminal.DisposeAsync();

        await using var resumed = await TerminalClient.ConnectAsync(Host, Alice, Server, resume: session);
        Assert.Equal(session, resumed.SessionId);
        await resumed.WaitForOutputAsync("before-drop");
        await resumed.TypeAsync("echo again-$$-end\r");
        await resumed.WaitForOutputAsync($"again-{pid}-end");
        await resumed.ControlAsync("""{"type":"close"}""");
        await resumed.WaitForEventAsync("closed");

        // A session that has ended is not found again: the browser is told so.
        await using var gone = await TerminalClient.ConnectAsync(Host, Alice, Server, resume: session);
        Assert.Equal(TerminalEndReasons.Unknown, (await gone.WaitForEventAsync("closed")).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ExplicitClose_LeavesNoProcessOfTheTerminalInTheServer()
    {
        var before = await CountAsync("bash");
        await using var terminal = await TerminalClient.ConnectAsync(Host, Alice, Server);
        await terminal.TypeAsync("sleep 4242 & echo started-$((3*3))\r");
        await terminal.WaitForOutputAsync("started-9");
        Assert.Equal(before + 1, await CountAsync("bash"));
        Assert.Equal(1, await CountAsync("sleep"));

        await terminal.ControlAsync("""{"type":"close"}""");
        var closed = await terminal.WaitForEventAsync("closed");
        Assert.Equal(TerminalEndReasons.Closed, closed.GetProperty("reason").GetString());
        Assert.True(await Poll.UntilAsync(async () => await CountAsync("bash") == before && await CountAsync("sleep") == 0, TimeSpan.FromSeconds(20)),
            $"processes left: {await PsAsync()}");
    }

    [Fact]
    public async Task Paste_OfOneMegabyte_ArrivesWhole()
    {
        // 1 MiB of printable lines, as one binary frame (what the browser sends for a paste).
        var random = new Random(1515);
        var paste = new byte[1024 * 1024];
        for (var i = 0; i < paste.Length; i++)
        {
            paste[i] = i % 80 == 79 ? (byte)'\n' : (byte)random.Next(0x21, 0x7F);
        }

        await using var terminal = await TerminalClient.ConnectAsync(Host, Alice, Server);

        // Raw mode: the terminal's line discipline neither echoes nor edits the bytes, so what
        // sha256sum reads is exactly what went through the WebSocket and the exec.
        await terminal.TypeAsync("stty raw -echo; echo paste-$((8*8)); head -c 1048576 | sha256sum; stty sane\r");
        await terminal.WaitForOutputAsync("paste-64");
        await terminal.SendAsync(paste);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(paste));
        await terminal.WaitForOutputAsync(expected + "  -", seconds: 60);
        await terminal.ControlAsync("""{"type":"close"}""");
    }

    [Fact]
    public async Task PausedReader_WithAFlood_KeepsMemoryBounded()
    {
        var sessions = Host.Services.GetRequiredService<TerminalSessions>();
        await using var reader = await TerminalClient.ConnectAsync(Host, Alice, Server);
        var known = sessions.OfServer(Server).Select(s => s.Id).ToHashSet();
        await using var paused = await TerminalClient.ConnectAsync(Host, Alice, Server, read: false);
        var flood = await Poll.UntilAsync(
            () => Task.FromResult(sessions.OfServer(Server).FirstOrDefault(s => !known.Contains(s.Id))),
            s => s is not null);
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        await paused.TypeAsync("yes flood-flood-flood-flood\r");

        // The flood fills the socket's buffers, then Berth stops reading: the bytes sent settle.
        long last = -1;
        var settled = await Poll.UntilAsync(
            () =>
            {
                var now = flood!.BytesSent;
                var same = now > 1024 * 1024 && now == last;
                last = now;
                return same;
            },
            TimeSpan.FromSeconds(60),
            TimeSpan.FromSeconds(1));
        Assert.True(settled, $"bytes sent kept growing: {flood!.BytesSent}");
        Assert.True(flood.BytesSent < 64L * 1024 * 1024, $"{flood.BytesSent} bytes went out to a reader that never read");
        var growth = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        Assert.True(growth < 64L * 1024 * 1024, $"managed memory grew by {growth} bytes");

        // Another terminal of the same server still answers.
        await reader.TypeAsync("echo alive-$((5*5))\r");
        await reader.WaitForOutputAsync("alive-25");
        await reader.ControlAsync("""{"type":"close"}""");
        paused.Drop();
        await sessions.EndServerAsync(Server, TerminalEndReasons.Closed);
        Assert.True(await Poll.UntilAsync(async () => await CountAsync("yes") == 0, TimeSpan.FromSeconds(20)), $"processes left: {await PsAsync()}");
    }

    [Fact]
    public async Task ServerStop_EndsTheTerminal_WithAClosedEvent()
    {
        var id = await ServersFixture.CreateRunningServerAsync(Alice, "stopping box");
        await using var terminal = await TerminalClient.ConnectAsync(Host, Alice, id);
        await terminal.TypeAsync("echo up-$((4*4))\r");
        await terminal.WaitForOutputAsync("up-16");
        Assert.Equal(HttpStatusCode.OK, (await Alice.PostAsync($"/api/servers/{id}/stop", null)).StatusCode);
        var closed = await terminal.WaitForEventAsync("closed", seconds: 60);
        Assert.Equal(TerminalEndReasons.ServerStopped, closed.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await Alice.DeleteAsync($"/api/servers/{id}")).StatusCode);
    }

    private async Task<HttpStatusCode> WithCookieAsync(string token, string ticket)
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Cookie", "berth_session=" + token);
        socket.Options.SetRequestHeader("Origin", TerminalClient.OriginOf(Host));
        var uri = new UriBuilder(Host.BaseAddress) { Scheme = "ws", Path = $"/api/servers/{Server}/terminal", Query = "ticket=" + ticket }.Uri;
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None);
            return HttpStatusCode.SwitchingProtocols;
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }

    private async Task<int> CountAsync(string command) =>
        (await PsAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Count(c => c == command);

    private async Task<string> PsAsync()
    {
        var containers = Host.Services.GetRequiredService<ServerContainers>();
        var result = await containers.Host.Containers.ExecAsync(ServerContainers.ContainerName(Server), ["ps", "-eo", "comm="], CancellationToken.None);
        Assert.Equal(0L, result.ExitCode);
        return result.StandardOutput;
    }

    private static string? PidIn(string output) =>
        System.Text.RegularExpressions.Regex.Match(output, @"pid-(\d+)-end") is { Success: true } match ? match.Groups[1].Value : null;

    private static string WithoutTraceId(string problem) =>
        System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");

    private static IEnumerable<string> Rows(JsonElement activity) =>
        (activity.ValueKind == JsonValueKind.Array ? activity : activity.GetProperty("items")).EnumerateArray().Select(r => r.GetProperty("message").GetString()!);
}
