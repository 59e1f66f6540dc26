using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Berth.Core.Forwards;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Forwards;

/// <summary>
/// TCP port forwards end to end: the API, the public ports on 127.0.0.1, and echo services inside real
/// virtual servers on the run's engine. Every test leaves no forward behind.
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class PortForwardTests(ForwardsFixture fixture) : IClassFixture<ForwardsFixture>
{
    private static readonly TimeSpan Live = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoForwards_OnTwoServers_CarryEachToItsOwnServer_AtTheSameTime()
    {
        // Public port left out: the lowest free one of the pool is picked.
        var a = await AddAsync(fixture.Alice, fixture.AliceServer, new { internalPort = ForwardsFixture.EchoPort, description = "echo of A" });
        var b = await AddAsync(fixture.Bob, fixture.BobServer, new { publicPort = fixture.LastPort, internalPort = ForwardsFixture.EchoPort, protocol = "tcp" });
        try
        {
            Assert.Equal(fixture.FirstPort, a.GetProperty("publicPort").GetInt32());
            Assert.Equal($"forwards.test:{fixture.FirstPort}", a.GetProperty("address").GetString());
            Assert.Equal("tcp", a.GetProperty("protocol").GetString());
            Assert.Equal("echo of A", a.GetProperty("description").GetString());

            using var toA = await ConnectedAsync(fixture.FirstPort, "server-a");
            using var toB = await ConnectedAsync(fixture.LastPort, "server-b");
            // Both connections are open at once and each stays with its own server.
            Assert.Equal("ping-a", await toA.EchoAsync("ping-a"));
            Assert.Equal("ping-b", await toB.EchoAsync("ping-b"));
            Assert.Equal("again-a", await toA.EchoAsync("again-a"));

            // The targets are the servers' own addresses on the servers' network, nothing else.
            var open = fixture.Host.Services.GetRequiredService<ForwardListeners>().Open.OrderBy(t => t.PublicPort).ToList();
            Assert.Equal(
                [$"{await fixture.AddressOfAsync(fixture.AliceServer)}:{ForwardsFixture.EchoPort}", $"{await fixture.AddressOfAsync(fixture.BobServer)}:{ForwardsFixture.EchoPort}"],
                open.Select(t => t.Target.ToString()));

            var listed = await fixture.Alice.GetFromJsonAsync<JsonElement>($"/api/servers/{fixture.AliceServer}/forwards");
            Assert.Equal([a.GetProperty("id").GetInt64()], listed.EnumerateArray().Select(f => f.GetProperty("id").GetInt64()));
            var activity = await (await fixture.Admin.GetAsync("/api/activity")).Content.ReadAsStringAsync();
            Assert.Contains($"Port forward {fixture.FirstPort}→{ForwardsFixture.EchoPort} added for virtual server #{fixture.AliceServer}", activity, StringComparison.Ordinal);
        }
        finally
        {
            await DeleteAsync(fixture.Alice, fixture.AliceServer, a);
            await DeleteAsync(fixture.Bob, fixture.BobServer, b);
        }
    }

    [Fact]
    public async Task Rules_TakenPort_PortOutsideThePool_TheSixthForward_AndLongDescriptions_Are400()
    {
        var first = await AddAsync(fixture.Alice, fixture.AliceServer, new { publicPort = fixture.FirstPort, internalPort = 1 });
        var created = new List<JsonElement> { first };
        try
        {
            await (await fixture.Bob.PostAsJsonAsync($"/api/servers/{fixture.BobServer}/forwards", new { publicPort = fixture.FirstPort, internalPort = 7000 }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, ForwardRules.PortTaken);
            await (await fixture.Alice.PostAsJsonAsync($"/api/servers/{fixture.AliceServer}/forwards", new { publicPort = fixture.FirstPort - 1, internalPort = 7000 }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, ForwardRules.PortOutsidePool);
            await (await fixture.Alice.PostAsJsonAsync($"/api/servers/{fixture.AliceServer}/forwards", new { publicPort = 22, internalPort = 7000 }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, ForwardRules.PortOutsidePool);
            await (await fixture.Alice.PostAsJsonAsync($"/api/servers/{fixture.AliceServer}/forwards", new { internalPort = 70000 }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, ForwardRules.InvalidPort);
            await (await fixture.Alice.PostAsJsonAsync($"/api/servers/{fixture.AliceServer}/forwards", new { internalPort = 7000, protocol = "sctp" }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, ForwardRules.InvalidProtocol);
            await (await fixture.Alice.PostAsJsonAsync($"/api/servers/{fixture.AliceServer}/forwards", new { internalPort = 7000, description = new string('d', 101) }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, ForwardRules.DescriptionTooLong);
            await (await fixture.Alice.PostAsJsonAsync($"/api/servers/{fixture.AliceServer}/forwards", new { publicPort = fixture.FirstPort + 1 }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, "MISSING_FIELD");

            for (var i = 1; i < 5; i++)
            {
                created.Add(await AddAsync(fixture.Alice, fixture.AliceServer, new { internalPort = 7000 + i, description = new string('d', 100) }));
            }

            await (await fixture.Alice.PostAsJsonAsync($"/api/servers/{fixture.AliceServer}/forwards", new { internalPort = 7100 }))
                .AssertProblemAsync(HttpStatusCode.BadRequest, ForwardRules.ForwardLimit);
            var limit = await Validate(fixture.Alice, $"internalPort=7100&serverId={fixture.AliceServer}");
            Assert.Equal(ForwardRules.ForwardLimit, limit.GetProperty("code").GetString());

            // Nothing of the refused requests was written.
            Assert.Equal(5, (await fixture.Alice.GetFromJsonAsync<JsonElement>($"/api/servers/{fixture.AliceServer}/forwards")).GetArrayLength());

            // An admin changes the limit per user: Alice's servers may now have 6.
            await (await fixture.Admin.PutAsJsonAsync($"/api/users/{fixture.AliceId}/forward-quota", new { maxForwardsPerServer = 6 })).AssertStatusAsync(HttpStatusCode.OK);
            created.Add(await AddAsync(fixture.Alice, fixture.AliceServer, new { internalPort = 7100 }));
            await (await fixture.Alice.PutAsJsonAsync($"/api/users/{fixture.AliceId}/forward-quota", new { maxForwardsPerServer = 9 })).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        }
        finally
        {
            await (await fixture.Admin.PutAsJsonAsync($"/api/users/{fixture.AliceId}/forward-quota", new { maxForwardsPerServer = 5 })).AssertStatusAsync(HttpStatusCode.OK);
            foreach (var forward in created)
            {
                await DeleteAsync(fixture.Alice, fixture.AliceServer, forward);
            }
        }
    }

    [Fact]
    public async Task Validate_ExplainsEachRule_AsADryRun()
    {
        var held = await AddAsync(fixture.Bob, fixture.BobServer, new { publicPort = fixture.FirstPort + 2, internalPort = 7000 });
        try
        {
            Assert.True((await Validate(fixture.Alice, $"publicPort={fixture.FirstPort + 3}&internalPort=80")).GetProperty("valid").GetBoolean());
            var taken = await Validate(fixture.Alice, $"publicPort={fixture.FirstPort + 2}&internalPort=80");
            Assert.Equal((false, ForwardRules.PortTaken, "publicPort"), (taken.GetProperty("valid").GetBoolean(), taken.GetProperty("code").GetString(), taken.GetProperty("field").GetString()));
            Assert.Contains($"{fixture.FirstPort + 2}", taken.GetProperty("message").GetString(), StringComparison.Ordinal);
            var outside = await Validate(fixture.Alice, "publicPort=80&internalPort=80");
            Assert.Equal(ForwardRules.PortOutsidePool, outside.GetProperty("code").GetString());
            Assert.Contains($"{fixture.FirstPort}–{fixture.LastPort}", outside.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal(ForwardRules.InvalidPort, (await Validate(fixture.Alice, "internalPort=abc")).GetProperty("code").GetString());
            Assert.Equal(ForwardRules.DescriptionTooLong, (await Validate(fixture.Alice, "internalPort=80&description=" + new string('x', 101))).GetProperty("code").GetString());

            // The forward being edited does not hold its own port against itself.
            Assert.True((await Validate(fixture.Bob, $"publicPort={fixture.FirstPort + 2}&internalPort=80&forwardId={held.GetProperty("id").GetInt64()}")).GetProperty("valid").GetBoolean());
        }
        finally
        {
            await DeleteAsync(fixture.Bob, fixture.BobServer, held);
        }
    }

    [Fact]
    public async Task AnotherUsersServer_AndForward_AnswerExactlyLikeMissingOnes_OnEveryRoute()
    {
        var bobs = await AddAsync(fixture.Bob, fixture.BobServer, new { internalPort = 7000 });
        try
        {
            var forwardId = bobs.GetProperty("id").GetInt64();
            const long Missing = 999_999;
            foreach (var (theirs, missing) in new[]
            {
                (fixture.Alice.GetAsync($"/api/servers/{fixture.BobServer}/forwards"), fixture.Alice.GetAsync($"/api/servers/{Missing}/forwards")),
                (fixture.Alice.PostAsJsonAsync($"/api/servers/{fixture.BobServer}/forwards", new { internalPort = 80 }), fixture.Alice.PostAsJsonAsync($"/api/servers/{Missing}/forwards", new { internalPort = 80 })),
                (fixture.Alice.PutAsJsonAsync($"/api/servers/{fixture.BobServer}/forwards/{forwardId}", new { internalPort = 80 }), fixture.Alice.PutAsJsonAsync($"/api/servers/{Missing}/forwards/{forwardId}", new { internalPort = 80 })),
                (fixture.Alice.DeleteAsync($"/api/servers/{fixture.BobServer}/forwards/{forwardId}"), fixture.Alice.DeleteAsync($"/api/servers/{Missing}/forwards/{forwardId}")),
            })
            {
                var (a, b) = (await theirs, await missing);
                var body = await a.AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
                var missingBody = await b.AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
                Assert.Equal(missingBody.GetProperty("detail").GetString(), body.GetProperty("detail").GetString());
            }

            var validateTheirs = await fixture.Alice.GetAsync($"/api/forwards/validate?internalPort=80&forwardId={forwardId}");
            var validateMissing = await fixture.Alice.GetAsync($"/api/forwards/validate?internalPort=80&forwardId={Missing}");
            await validateTheirs.AssertProblemAsync(HttpStatusCode.NotFound, "FORWARD_NOT_FOUND");
            await validateMissing.AssertProblemAsync(HttpStatusCode.NotFound, "FORWARD_NOT_FOUND");
            await (await fixture.Alice.GetAsync($"/api/forwards/validate?internalPort=80&serverId={fixture.BobServer}")).AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");

            // Bob's forward is untouched, and an admin sees it.
            var list = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/servers/{fixture.BobServer}/forwards");
            Assert.Equal(7000, list.EnumerateArray().Single().GetProperty("internalPort").GetInt32());
        }
        finally
        {
            await DeleteAsync(fixture.Bob, fixture.BobServer, bobs);
        }
    }

    [Fact]
    public async Task Update_MovesThePublicPort_AndDelete_ClosesTheListener_AndEndsALiveConnection()
    {
        var forward = await AddAsync(fixture.Alice, fixture.AliceServer, new { publicPort = fixture.FirstPort + 4, internalPort = ForwardsFixture.EchoPort });
        var id = forward.GetProperty("id").GetInt64();
        // A failure must not leave the forward behind for the other tests of the fixture's servers.
        await using var cleanup = new AsyncCleanup(() => fixture.Alice.DeleteAsync($"/api/servers/{fixture.AliceServer}/forwards/{id}"));
        using (var before = await ConnectedAsync(fixture.FirstPort + 4, "server-a"))
        {
            Assert.Equal("one", await before.EchoAsync("one"));
            var moved = await fixture.Alice.PutAsJsonAsync($"/api/servers/{fixture.AliceServer}/forwards/{id}", new { publicPort = fixture.FirstPort + 5, internalPort = ForwardsFixture.EchoPort, description = "moved" });
            await moved.AssertStatusAsync(HttpStatusCode.OK);
            Assert.True(await Poll.UntilAsync(() => RefusedAsync(fixture.FirstPort + 4), Live), "the old public port still accepts connections");
            Assert.True(await before.EndedAsync(), "a connection of the old public port stayed open");
        }

        using var live = await ConnectedAsync(fixture.FirstPort + 5, "server-a");
        Assert.Equal("two", await live.EchoAsync("two"));
        await (await fixture.Alice.DeleteAsync($"/api/servers/{fixture.AliceServer}/forwards/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.True(await live.EndedAsync(), "the deleted forward's connection stayed open");
        Assert.True(await Poll.UntilAsync(() => RefusedAsync(fixture.FirstPort + 5), Live), "the deleted forward's port still accepts connections");
        var activity = await (await fixture.Admin.GetAsync("/api/activity")).Content.ReadAsStringAsync();
        Assert.Contains($"Port forward {fixture.FirstPort + 5}→{ForwardsFixture.EchoPort} updated for virtual server #{fixture.AliceServer}", activity, StringComparison.Ordinal);
        Assert.Contains($"Port forward {fixture.FirstPort + 5}→{ForwardsFixture.EchoPort} deleted for virtual server #{fixture.AliceServer}", activity, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStoppedServersForward_RefusesConnections_AndServesAgainOnceItRuns()
    {
        var forward = await AddAsync(fixture.Bob, fixture.BobServer, new { publicPort = fixture.FirstPort + 6, internalPort = ForwardsFixture.EchoPort });
        try
        {
            using (var open = await ConnectedAsync(fixture.FirstPort + 6, "server-b"))
            {
                await (await fixture.Bob.PostAsync($"/api/servers/{fixture.BobServer}/stop", null)).AssertStatusAsync(HttpStatusCode.OK);
                Assert.True(await open.EndedAsync(), "a connection to the stopped server stayed open");
            }

            Assert.True(await Poll.UntilAsync(() => RefusedAsync(fixture.FirstPort + 6), Live), "the stopped server's forward still accepts connections");

            await (await fixture.Bob.PostAsync($"/api/servers/{fixture.BobServer}/start", null)).AssertStatusAsync(HttpStatusCode.OK);
            using var again = await ConnectedAsync(fixture.FirstPort + 6, "server-b", TimeSpan.FromSeconds(90));
            Assert.Equal("back", await again.EchoAsync("back"));
        }
        finally
        {
            await DeleteAsync(fixture.Bob, fixture.BobServer, forward);
        }
    }

    [Fact]
    public async Task ForwardsComeBack_AfterBerthRestarts()
    {
        var forward = await AddAsync(fixture.Alice, fixture.AliceServer, new { publicPort = fixture.FirstPort + 7, internalPort = ForwardsFixture.EchoPort });
        using (var before = await ConnectedAsync(fixture.FirstPort + 7, "server-a"))
        {
            Assert.Equal("before", await before.EchoAsync("before"));
        }

        await fixture.RestartAsync();
        using (var after = await ConnectedAsync(fixture.FirstPort + 7, "server-a"))
        {
            Assert.Equal("after", await after.EchoAsync("after"));
        }

        await DeleteAsync(fixture.Alice, fixture.AliceServer, forward);
    }

    [Fact]
    public async Task AForwardWithPROXYProtocol_TellsTheAppTheClientsAddress_FirstInV1_ThenInV2()
    {
        var port = fixture.FirstPort + 3;
        var forward = await AddAsync(fixture.Alice, fixture.AliceServer, new { publicPort = port, internalPort = ForwardsFixture.EchoPort, proxyProtocol = "v1" });
        var id = forward.GetProperty("id").GetInt64();
        await using var cleanup = new AsyncCleanup(() => fixture.Alice.DeleteAsync($"/api/servers/{fixture.AliceServer}/forwards/{id}"));
        Assert.Equal("v1", forward.GetProperty("proxyProtocol").GetString());

        // The echo service sends back what it reads: the header first, then the client's own bytes.
        var (client, echoed) = await Poll.UntilAsync(
            () => ProxiedEchoAsync(port, "PROXY TCP4 127.0.0.1 127.0.0.1 1 1\r\n".Length),
            r => r.Echoed is not null && r.Echoed.StartsWith("PROXY ", StringComparison.Ordinal),
            Live,
            TimeSpan.FromMilliseconds(200));
        Assert.Equal($"PROXY TCP4 127.0.0.1 127.0.0.1 {client!.Port} {port}\r\nhello\n", echoed);

        var changed = await fixture.Alice.PutAsJsonAsync(
            $"/api/servers/{fixture.AliceServer}/forwards/{id}", new { internalPort = ForwardsFixture.EchoPort, proxyProtocol = "V2" });
        Assert.Equal("v2", (await changed.JsonAsync()).GetProperty("proxyProtocol").GetString());
        var (v2Client, v2Echoed) = await Poll.UntilAsync(
            () => ProxiedEchoAsync(port, 28),
            r => r.Echoed is not null && r.Echoed.StartsWith("\r\n\r\n", StringComparison.Ordinal),
            Live,
            TimeSpan.FromMilliseconds(200));
        var expected = ProxyProtocolHeader.Build(ProxyProtocolVersion.V2, v2Client!, new IPEndPoint(IPAddress.Loopback, port));
        Assert.Equal(Encoding.Latin1.GetString(expected) + "hello\n", v2Echoed);

        // A description-only edit keeps the setting; a bad value is refused and changes nothing.
        var kept = await fixture.Alice.PutAsJsonAsync($"/api/servers/{fixture.AliceServer}/forwards/{id}", new { internalPort = ForwardsFixture.EchoPort, description = "db" });
        Assert.Equal("v2", (await kept.JsonAsync()).GetProperty("proxyProtocol").GetString());
        await (await fixture.Alice.PutAsJsonAsync($"/api/servers/{fixture.AliceServer}/forwards/{id}", new { internalPort = ForwardsFixture.EchoPort, proxyProtocol = "v3" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, ForwardRules.InvalidProxyProtocol);
        var invalid = await Validate(fixture.Alice, "internalPort=80&proxyProtocol=yes");
        Assert.Equal((ForwardRules.InvalidProxyProtocol, "proxyProtocol"), (invalid.GetProperty("code").GetString(), invalid.GetProperty("field").GetString()));
        var listed = await fixture.Alice.GetFromJsonAsync<JsonElement>($"/api/servers/{fixture.AliceServer}/forwards");
        Assert.Equal("v2", listed.EnumerateArray().Single(f => f.GetProperty("id").GetInt64() == id).GetProperty("proxyProtocol").GetString());
    }

    /// <summary>
    /// Connects through <paramref name="port"/>, reads the echo service's greeting, sends one line and reads
    /// back the header (<paramref name="headerLength"/> bytes at least) and the line; null when the way is not open yet.
    /// </summary>
    private static async Task<(IPEndPoint? Client, string? Echoed)> ProxiedEchoAsync(int port, int headerLength)
    {
        using var client = new TcpClient();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, bound.Token);
            var stream = client.GetStream();
            var received = new List<byte>();
            var buffer = new byte[4096];
            await stream.WriteAsync("hello\n"u8.ToArray(), bound.Token);
            // The greeting ("server-a\n") comes from the service, the rest is the echo of what the forward sent.
            var least = "server-a\n".Length + headerLength + "hello\n".Length;
            while (received.Count < least || !Encoding.Latin1.GetString([.. received]).EndsWith("hello\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, bound.Token);
                if (read == 0)
                {
                    return (null, null);
                }

                received.AddRange(buffer.AsSpan(0, read));
            }

            var text = Encoding.Latin1.GetString([.. received]);
            return text.StartsWith("server-a\n", StringComparison.Ordinal)
                ? ((IPEndPoint)client.Client.LocalEndPoint!, text["server-a\n".Length..])
                : (null, null);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return (null, null);
        }
    }

    private static async Task<JsonElement> AddAsync(HttpClient client, long serverId, object body)
    {
        var response = await client.PostAsJsonAsync($"/api/servers/{serverId}/forwards", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"add forward: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    private static async Task DeleteAsync(HttpClient client, long serverId, JsonElement forward) =>
        await (await client.DeleteAsync($"/api/servers/{serverId}/forwards/{forward.GetProperty("id").GetInt64()}")).AssertStatusAsync(HttpStatusCode.NoContent);

    private static async Task<JsonElement> Validate(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/forwards/validate?" + query);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return await response.JsonAsync();
    }

    /// <summary>Connects through the public port on 127.0.0.1 until the server's echo service greets with <paramref name="mark"/>.</summary>
    private static async Task<EchoConnection> ConnectedAsync(int port, string mark, TimeSpan? timeout = null)
    {
        var connection = await Poll.UntilAsync(() => EchoConnection.TryOpenAsync(port, mark), c => c is not null, timeout ?? Live, TimeSpan.FromMilliseconds(200));
        Assert.True(connection is not null, $"no greeting {mark} through public port {port}");
        return connection;
    }

    private static async Task<bool> RefusedAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Accepted into the backlog of a listener that was closing: the next attempt is refused.
            return false;
        }
    }

    /// <summary>Runs a clean-up step when disposed (a delete that may find nothing left to delete).</summary>
    private sealed class AsyncCleanup(Func<Task> step) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await step();
    }

    /// <summary>A client connection to an echo service that greets with its mark.</summary>
    private sealed class EchoConnection : IDisposable
    {
        private static readonly TimeSpan ReadBound = TimeSpan.FromSeconds(20);
        private readonly TcpClient _client;
        private readonly StreamReader _reader;
        private readonly Stream _stream;

        private EchoConnection(TcpClient client)
        {
            _client = client;
            _stream = client.GetStream();
            _reader = new StreamReader(_stream, Encoding.ASCII);
        }

        public static async Task<EchoConnection?> TryOpenAsync(int port, string mark)
        {
            var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                var connection = new EchoConnection(client);
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                // Greeted, and one line echoed: the whole way to the service inside the server works (under load the
                // server's own port publishing may greet and then drop a connection made too early).
                if (await connection._reader.ReadLineAsync(bound.Token) == mark && await connection.EchoAsync("ping") == "ping")
                {
                    return connection;
                }

                connection.Dispose();
                return null;
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                client.Dispose();
                return null;
            }
        }

        public async Task<string?> EchoAsync(string line)
        {
            using var bound = new CancellationTokenSource(ReadBound);
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"), bound.Token);
            return await _reader.ReadLineAsync(bound.Token);
        }

        /// <summary>Whether the far side ended the connection (end of stream or a reset) within the read bound.</summary>
        public async Task<bool> EndedAsync()
        {
            using var bound = new CancellationTokenSource(ReadBound);
            try
            {
                return await _reader.ReadLineAsync(bound.Token) is null;
            }
            catch (IOException)
            {
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            _client.Dispose();
        }
    }
}
