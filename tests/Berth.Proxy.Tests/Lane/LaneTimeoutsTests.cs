using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Berth.Proxy.Tests.Infrastructure;
using Berth.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Proxy.Tests.Lane;

/// <summary>
/// The lane's own client timeouts (E4), on a fake clock: a new connection that sends nothing gets the
/// headers timeout (10 s here), not the keep-alive timeout (60 s), on both listeners; a connection between
/// two requests gets the keep-alive timeout. Both are long in real time, so only the edge's clock can
/// make them pass within a test: a sweep on another clock fails these tests. Kestrel's own timeouts (TLS handshake, body rate) run on
/// its clock and are tested in <see cref="EdgeTimeoutsTests"/>.
/// </summary>
public sealed class LaneTimeoutsTests : EdgeTestBase
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _clock = new(TimeProvider.System.GetUtcNow());

    internal override void ConfigureEdge(EdgeOptions options)
    {
        options.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
        options.KeepAliveTimeout = TimeSpan.FromSeconds(60);
    }

    internal override void ConfigureServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(_clock);

    [Fact]
    public async Task NewHttpConnectionSendingNothing_IsCutAfterTheHeadersTimeout_NotTheKeepAliveTimeout()
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);

        var (closed, advanced) = await AdvanceUntilAsync(() => socket.Poll(0, SelectMode.SelectRead), limit: TimeSpan.FromSeconds(30));

        Assert.True(closed, $"still open after {advanced} on the edge's clock");
        Assert.True(advanced >= TimeSpan.FromSeconds(10), $"cut after {advanced}, before the headers timeout");
        Assert.Equal("", await EdgeClients.ReadToEndAsync(socket));
    }

    [Fact]
    public async Task NewHttpsConnectionSendingNothingAfterItsHandshake_IsCutAfterTheHeadersTimeout()
    {
        Edge.Services.GetRequiredService<EdgeCertificateCache>()
            .Set("a.test", OriginCertificate.CreateSelfSigned(["a.test"], TimeProvider.System));
        using var socket = await EdgeClients.ConnectSocketAsync(HttpsEdge);
        await using var tls = await HandshakeAsync(socket, "a.test");

        // The socket may carry session tickets after the handshake: wait for the TLS stream's end instead.
        var read = tls.ReadAsync(new byte[1024]).AsTask();
        var (closed, advanced) = await AdvanceUntilAsync(() => read.IsCompleted, limit: TimeSpan.FromSeconds(30));

        Assert.True(closed, $"still open after {advanced} on the edge's clock");
        Assert.True(advanced >= TimeSpan.FromSeconds(10), $"cut after {advanced}, before the headers timeout");
        Assert.Equal(0, await read);
    }

    [Fact]
    public async Task ConnectionBetweenTwoRequests_IsKeptPastTheHeadersTimeout_AndCutAfterTheKeepAliveTimeout()
    {
        using var socket = await EdgeClients.ConnectSocketAsync(HttpEdge);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"u8.ToArray());
        Assert.EndsWith("backend-a\r\n0\r\n\r\n", await ReadAnswerAsync(socket), StringComparison.Ordinal);

        // Idle between two requests for most of the keep-alive timeout, far past the headers timeout.
        _clock.Advance(TimeSpan.FromSeconds(59));
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: b.test\r\n\r\n"u8.ToArray());
        Assert.EndsWith("backend-b\r\n0\r\n\r\n", await ReadAnswerAsync(socket), StringComparison.Ordinal);

        var (closed, advanced) = await AdvanceUntilAsync(() => socket.Poll(0, SelectMode.SelectRead), limit: TimeSpan.FromSeconds(120));

        Assert.True(closed, $"still open after {advanced} on the edge's clock");
        Assert.True(advanced >= TimeSpan.FromSeconds(60), $"cut after {advanced}, before the keep-alive timeout");
        Assert.Equal("", await EdgeClients.ReadToEndAsync(socket));
    }

    /// <summary>
    /// Moves the edge's clock a second at a time (each step runs its once-a-second sweep), giving the edge
    /// a moment after each step, until <paramref name="closed"/> holds or <paramref name="limit"/> has passed
    /// on that clock; returns whether it closed and how far the clock moved.
    /// </summary>
    private async Task<(bool Closed, TimeSpan Advanced)> AdvanceUntilAsync(Func<bool> closed, TimeSpan limit)
    {
        var advanced = TimeSpan.Zero;
        var checksPastLimit = 0;
        await Poll.UntilAsync(() =>
        {
            if (closed())
            {
                return true;
            }

            if (advanced < limit)
            {
                _clock.Advance(Step);
                advanced += Step;
                return false;
            }

            // Past the limit: a few more looks (in real time) for a close already under way, then give up.
            return ++checksPastLimit > 25;
        }, timeout: TimeSpan.FromSeconds(30), interval: TimeSpan.FromMilliseconds(20));
        return (closed(), advanced);
    }

    private static async Task<SslStream> HandshakeAsync(Socket socket, string host)
    {
        var tls = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false);
        // Self-signed on purpose: the test checks the connection's lifetime, not its trust.
#pragma warning disable CA5359
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
#pragma warning restore CA5359
        return tls;
    }

    /// <summary>One chunked answer of the backend, up to its last chunk.</summary>
    private static async Task<string> ReadAnswerAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var text = new StringBuilder();
        var buffer = new byte[4096];
        while (!text.ToString().EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.NotEqual(0, read);
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}
