using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests;

/// <summary>
/// One regression test per finding of the edge audit (issue 18, E2–E14; E1 is in the conformance suite's
/// HTTP/2 rows): each failed on the code before its fix. Plain requests here take the plain lane;
/// <see cref="EdgeAuditFindingsThroughKestrelTests"/> runs the same with every request through Kestrel.
/// </summary>
public class EdgeAuditFindingsTests : EdgeTestBase
{
    // A whole answer of its own, as a desynchronised connection would hand it to the next request.
    private const string Leaked = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nleaked";

    private readonly ChallengeBook _challenges = new();

    [Fact]
    public async Task E2_HeadAnsweredWithABody_DoesNotLeakIntoTheNextAnswer()
    {
        // The origin answers the HEAD with a body it should not send, written after the head.
        await using var origin = new ScriptedOrigin((n, _) => n == 1
            ? new OriginCue("HTTP/1.1 200 OK\r\nContent-Length: 46\r\n\r\n", Late: Leaked)
            : new OriginCue($"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nanswer {n}"));
        using var client = Route(origin);

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("http://scripted.test/")));
        origin.ReleaseLate();
        await origin.LateSent.WaitAsync(TimeSpan.FromSeconds(10));
        var next = await client.GetStringAsync(new Uri("http://scripted.test/"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("answer 2", next);
    }

    [Fact]
    public async Task E2_BytesAfterALengthDelimitedBody_AreNeverTakenForTheNextAnswer()
    {
        await using var origin = new ScriptedOrigin((n, _) =>
            new OriginCue($"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nanswer {n}", Late: n == 1 ? Leaked : null));
        using var client = Route(origin);

        var first = await client.GetStringAsync(new Uri("http://scripted.test/"));
        origin.ReleaseLate();
        await origin.LateSent.WaitAsync(TimeSpan.FromSeconds(10));
        var second = await client.GetStringAsync(new Uri("http://scripted.test/"));

        Assert.Equal("answer 1", first);
        Assert.Equal("answer 2", second);
        Assert.Equal(2, origin.Connections);
    }

    [Fact]
    public async Task E2_NotModifiedFollowedByABody_DoesNotLeakIntoTheNextAnswer()
    {
        await using var origin = new ScriptedOrigin((n, _) => n == 1
            ? new OriginCue("HTTP/1.1 304 Not Modified\r\nContent-Length: 46\r\n\r\n", Late: Leaked)
            : new OriginCue($"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nanswer {n}"));
        using var client = Route(origin);

        using var notModified = await client.GetAsync(new Uri("http://scripted.test/"));
        origin.ReleaseLate();
        await origin.LateSent.WaitAsync(TimeSpan.FromSeconds(10));
        var next = await client.GetStringAsync(new Uri("http://scripted.test/"));

        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("answer 2", next);
    }

    [Fact]
    public async Task E3_PostWithoutBody_IsNotSentTwiceWhenAReusedConnectionCloses()
    {
        // Request 1 keeps the connection; the origin then closes it on receiving the POST, without answering.
        await using var origin = new ScriptedOrigin((n, _) => n switch
        {
            1 => new OriginCue("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            2 => new OriginCue(null, CloseInstead: true),
            _ => new OriginCue("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain"),
        });
        using var client = Route(origin);

        Assert.Equal("ok", await client.GetStringAsync(new Uri("http://scripted.test/")));
        using var post = await client.PostAsync(new Uri("http://scripted.test/order"), content: null);

        Assert.Equal(HttpStatusCode.BadGateway, post.StatusCode);
        Assert.Single(origin.Requests, request => request.StartsWith("POST /order ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task E3_GetWithoutBody_IsStillSentAgainWhenAReusedConnectionCloses()
    {
        await using var origin = new ScriptedOrigin((n, _) => n switch
        {
            1 => new OriginCue("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            2 => new OriginCue(null, CloseInstead: true),
            _ => new OriginCue("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nagain"),
        });
        using var client = Route(origin);

        Assert.Equal("ok", await client.GetStringAsync(new Uri("http://scripted.test/")));
        Assert.Equal("again", await client.GetStringAsync(new Uri("http://scripted.test/")));
    }

    [Theory]
    [InlineData("X_Forwarded_For", "6.6.6.6")]
    [InlineData("X_Forwarded_Host", "evil.test")]
    [InlineData("X_Forwarded_Proto", "https")]
    [InlineData("Transfer_Encoding", "chunked")]
    [InlineData("Content_Length", "777777")]
    [InlineData("CF_Connecting_IP", "6.6.6.6")]
    [InlineData("X-Real-IP", "6.6.6.6")]
    [InlineData("True-Client-IP", "6.6.6.6")]
    [InlineData("X-Client-IP", "6.6.6.6")]
    [InlineData("X-Cluster-Client-IP", "6.6.6.6")]
    [InlineData("x_real_ip", "6.6.6.6")]
    public async Task E5_E6_ClientAddressHeadersAndUnderscoreTwins_StayOnTheEdge(string name, string value)
    {
        await using var origin = new ScriptedOrigin(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        Route(origin).Dispose();

        var response = await EdgeClients.SendRawAsync(
            HttpEdge, $"GET / HTTP/1.1\r\nHost: scripted.test\r\n{name}: {value}\r\nX-Kept_Name: kept\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.True(origin.Requests.TryPeek(out var seen));
        Assert.DoesNotContain(value, seen, StringComparison.Ordinal);
        Assert.DoesNotContain($"\r\n{name}:", seen, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nX-Kept_Name: kept\r\n", seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task E7_HeadWithBareLineFeeds_IsAnsweredAtOnce()
    {
        // The request-headers timeout is 15 s: an answer within the read's 10 s means nobody waited for it.
        var response = await EdgeClients.SendRawAsync(HttpEdge, "GET / HTTP/1.1\nHost: a.test\nConnection: close\n\n");

        Assert.StartsWith("HTTP/1.1 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task E8_OptionsAsterisk_ReachesTheOriginWithItsTarget()
    {
        await using var origin = new ScriptedOrigin(_ => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        Route(origin).Dispose();

        var response = await EdgeClients.SendRawAsync(HttpEdge, "OPTIONS * HTTP/1.1\r\nHost: scripted.test\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.True(origin.Requests.TryPeek(out var seen));
        Assert.StartsWith("OPTIONS * HTTP/1.1\r\nHost: scripted.test\r\n", seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task E10_MalformedChunkedRequestBody_GetsBadRequest()
    {
        var response = await EdgeClients.SendRawAsync(
            HttpEdge, "POST /echo HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 ", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task E12_ResponseHeadersNominatedByConnection_EndAtTheEdge()
    {
        await using var origin = new ScriptedOrigin(_ =>
            "HTTP/1.1 200 OK\r\nX-Origin-Hop: secret\r\nConnection: keep-alive, X-Origin-Hop\r\nX-End: kept\r\nContent-Length: 2\r\n\r\nok");
        Route(origin).Dispose();

        var response = await EdgeClients.SendRawAsync(HttpEdge, "GET / HTTP/1.1\r\nHost: scripted.test\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Origin-Hop: secret", response, StringComparison.Ordinal);
        Assert.Contains("\r\nX-End: kept\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task E12_RequestHeadersNominatedByConnection_EndAtTheEdge()
    {
        await using var origin = new ScriptedOrigin(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var client = Route(origin);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://scripted.test/"));
        // Without "close": Kestrel reduces any Connection header that asks to close to just "close".
        request.Headers.Connection.Add("X-Client-Hop");
        request.Headers.TryAddWithoutValidation("X-Client-Hop", "secret");
        request.Headers.TryAddWithoutValidation("X-End", "kept");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(origin.Requests.TryPeek(out var seen));
        Assert.DoesNotContain("X-Client-Hop: secret", seen, StringComparison.Ordinal);
        Assert.Contains("\r\nX-End: kept\r\n", seen, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/./.well-known/acme-challenge/token-1")]
    [InlineData("/%2e/.well-known/acme-challenge/token-1")]
    [InlineData("/x/../.well-known/acme-challenge/token-1")]
    public async Task E13_ChallengePathWithDotSegments_IsTheEdgesNotTheTenants(string target)
    {
        _challenges.Add("a.test", "token-1", "token-1.thumbprint");

        var response = await EdgeClients.SendRawAsync(HttpEdge, $"GET {target} HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Contains("\r\ntoken-1.thumbprint\r\n", response, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Backend", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task E14_FloodOfInterimAnswers_GetsTheBadGatewayPage()
    {
        var flood = string.Concat(Enumerable.Repeat("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n", 17));
        await using var origin = new ScriptedOrigin(_ => flood + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", closeAfterAnswer: true);
        using var client = Route(origin);

        using var response = await client.GetAsync(new Uri("http://scripted.test/"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
    }

    [Fact]
    public async Task E14_SixteenInterimAnswers_AreStillReadPast()
    {
        var hints = string.Concat(Enumerable.Repeat("HTTP/1.1 103 Early Hints\r\n\r\n", 16));
        await using var origin = new ScriptedOrigin(_ => hints + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        using var client = Route(origin);

        Assert.Equal("ok", await client.GetStringAsync(new Uri("http://scripted.test/")));
    }

    [Fact]
    public async Task E14_FloodOfTrailers_NeverCompletesTheAnswer()
    {
        var trailers = string.Concat(Enumerable.Range(0, 65).Select(i => $"X-T{i}: v\r\n"));
        await using var origin = new ScriptedOrigin(
            _ => $"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n{trailers}\r\n", closeAfterAnswer: true);
        using var client = Route(origin);

        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var response = await client.GetAsync(new Uri("http://scripted.test/"));
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsStringAsync();
        });
    }

    [Fact]
    public async Task E11_HostOfAnotherNameThanTheHandshakes_IsMisdirected()
    {
        var cache = Edge.Services.GetRequiredService<EdgeCertificateCache>();
        cache.Set("a.test", OriginCertificate.CreateSelfSigned(["a.test"], TimeProvider.System));
        using var socket = await EdgeClients.ConnectSocketAsync(HttpsEdge);
        await using var tls = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false);
        // Self-signed on purpose: the test checks what is answered inside the connection, not its trust.
#pragma warning disable CA5359
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "a.test",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
#pragma warning restore CA5359

        await tls.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: b.test\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(tls, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = await reader.ReadToEndAsync(timeout.Token);

        Assert.StartsWith("HTTP/1.1 421 ", response, StringComparison.Ordinal);
        Assert.DoesNotContain("backend-b", response, StringComparison.Ordinal);
    }

    internal override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IAcmeChallengeResponder>(_challenges);
}

/// <summary>The same findings with the plain lane off: every request through Kestrel and the edge's own origin client.</summary>
public sealed class EdgeAuditFindingsThroughKestrelTests : EdgeAuditFindingsTests
{
    internal override void ConfigureEdge(EdgeOptions options) => options.PlainLane = false;
}
