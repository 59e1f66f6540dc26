using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Berth.Proxy.Tests.Infrastructure;

/// <summary>
/// Clients that reach the edge whatever host name the URL carries (like DNS pointing every name at the
/// edge), optionally from a chosen loopback source address.
/// </summary>
internal static class EdgeClients
{
    public static SocketsHttpHandler CreateHandler(Uri edge, IPAddress? source = null, Action<X509Certificate2>? onCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = (_, cancellationToken) => ConnectAsync(edge.Port, source, cancellationToken),
        };
        if (onCertificate is not null)
        {
            // The test certificates are self-signed on purpose: the test checks which one is served, not its trust.
#pragma warning disable CA5359
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                onCertificate(new X509Certificate2(certificate!));
                return true;
            };
#pragma warning restore CA5359
        }

        return handler;
    }

    public static HttpClient Create(Uri edge, IPAddress? source = null, Action<X509Certificate2>? onCertificate = null) =>
        new(CreateHandler(edge, source, onCertificate)) { Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>Sends raw bytes (for requests HttpClient refuses to make) and returns the whole response text.</summary>
    public static async Task<string> SendRawAsync(Uri edge, string request)
    {
        using var stream = await ConnectAsync(edge.Port, null, CancellationToken.None);
        var bytes = Encoding.ASCII.GetBytes(request);
        await stream.WriteAsync(bytes);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(timeout.Token);
    }

    /// <summary>A plain socket connected to the edge's listener, for byte-level requests.</summary>
    public static async Task<Socket> ConnectSocketAsync(Uri edge)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, edge.Port));
        return socket;
    }

    /// <summary>Everything received until the edge closes the connection (at most 15 s).</summary>
    public static async Task<string> ReadToEndAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    private static async ValueTask<Stream> ConnectAsync(int port, IPAddress? source, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
