using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Berth.Proxy.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests.Conformance;

/// <summary>
/// The edge as configured in production, shared by the conformance rows: <see cref="EdgeHost"/> on
/// Kestrel's socket transport with the plain lane on, HTTP and HTTPS listeners on 127.0.0.1:0, an ACME challenge
/// responder (that knows no token), and a self-signed certificate for the test names. Each row routes
/// <c>o.test</c> and <c>p.test</c> to its own <see cref="ScriptedOrigin"/>.
/// </summary>
public sealed class ConformanceEdge : IAsyncLifetime
{
    internal EdgeHost Edge { get; private set; } = null!;

    internal int HttpPort => Edge.HttpAddresses[0].Port;

    internal int HttpsPort => Edge.HttpsAddresses[0].Port;

    public async Task InitializeAsync()
    {
        Edge = await EdgeHost.StartAsync(
            options =>
            {
                options.HttpUrls.Clear();
                options.HttpUrls.Add("http://127.0.0.1:0");
                options.HttpsUrls.Clear();
                options.HttpsUrls.Add("https://127.0.0.1:0");
            },
            services => services.AddSingleton<IAcmeChallengeResponder, NoChallenges>());
        Edge.Services.GetRequiredService<EdgeCertificateCache>()
            .Set("o.test", OriginCertificate.CreateSelfSigned(["o.test", "p.test"], TimeProvider.System));
        Edge.Services.GetRequiredService<EdgeCertificateCache>()
            .Set("p.test", OriginCertificate.CreateSelfSigned(["o.test", "p.test"], TimeProvider.System));
    }

    public async Task DisposeAsync() => await Edge.DisposeAsync();

    /// <summary>Routes the test names to <paramref name="origin"/> (replacing the previous row's routes).</summary>
    internal void Route(ScriptedOrigin origin) =>
        Edge.Routes.Apply([new EdgeRoute("o.test", origin.Address), new EdgeRoute("p.test", origin.Address)]);

    /// <summary>
    /// Sends raw bytes on a new connection to the HTTP listener and reads until the edge closes it, 5 s
    /// pass, or (when given) <paramref name="stopAfter"/> final answers have arrived; and whether the edge closed it.
    /// </summary>
    internal async Task<(byte[] Bytes, bool Closed)> SendHttp11Async(string request, int? stopAfter = null, bool firstIsHead = false)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, HttpPort));
        await socket.SendAsync(Encoding.Latin1.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var closed = false;
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                if (stopAfter is { } count && Http11Response.Parse(received.ToArray(), firstIsHead).Count(r => r.Complete) >= count)
                {
                    break;
                }
            }

            closed = read == 0;
        }
        catch (SocketException)
        {
            closed = true;
        }
        catch (OperationCanceledException)
        {
            // An edge that keeps the connection open: judge what arrived.
        }

        return (received.ToArray(), closed);
    }

    private sealed class NoChallenges : IAcmeChallengeResponder
    {
        public ValueTask<string?> GetKeyAuthorizationAsync(string host, string token, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
    }
}

/// <summary>One HTTP/1.1 answer as a client reads it: interim answers are skipped, bodies decoded.</summary>
/// <param name="Status">The status code.</param>
/// <param name="Head">The head (Latin-1 text).</param>
/// <param name="Body">The decoded body.</param>
/// <param name="Complete">False when the connection ended inside the answer.</param>
internal sealed record Http11Response(int Status, string Head, string Body, bool Complete)
{
    public override string ToString() => $"{Status}{(Complete ? "" : " (cut)")} '{(Body.Length > 60 ? Body[..60] + "..." : Body)}'";

    /// <summary>Every answer in <paramref name="bytes"/>; bytes that do not start an answer end the list with a status of 0.</summary>
    public static List<Http11Response> Parse(byte[] bytes, bool firstIsHead = false)
    {
        var text = Encoding.Latin1.GetString(bytes);
        var responses = new List<Http11Response>();
        var offset = 0;
        while (offset < text.Length)
        {
            var headEnd = text.IndexOf("\r\n\r\n", offset, StringComparison.Ordinal);
            if (!text.AsSpan(offset).StartsWith("HTTP/1.") || text.Length < offset + 12
                || !int.TryParse(text.AsSpan(offset + 9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                responses.Add(new Http11Response(0, text[offset..], "", false));
                break;
            }

            if (headEnd < 0)
            {
                responses.Add(new Http11Response(status, text[offset..], "", false));
                break;
            }

            var head = text[offset..(headEnd + 4)];
            offset = headEnd + 4;
            if (status is >= 100 and < 200)
            {
                continue;
            }

            var noBody = (firstIsHead && responses.Count == 0) || status is 204 or 304;
            if (noBody)
            {
                responses.Add(new Http11Response(status, head, "", true));
            }
            else if (Header(head, "Transfer-Encoding") is { } coding && coding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                var (body, end) = Dechunk(text, offset);
                responses.Add(new Http11Response(status, head, body, end >= 0));
                if (end < 0)
                {
                    break;
                }

                offset = end;
            }
            else if (Header(head, "Content-Length") is { } value && int.TryParse(value, CultureInfo.InvariantCulture, out var length))
            {
                var complete = text.Length >= offset + length;
                responses.Add(new Http11Response(status, head, text.Substring(offset, Math.Min(length, text.Length - offset)), complete));
                offset = Math.Min(text.Length, offset + length);
            }
            else
            {
                responses.Add(new Http11Response(status, head, text[offset..], true));
                break;
            }
        }

        return responses;
    }

    public static string? Header(string head, string name)
    {
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            if (line.Length > name.Length && line[name.Length] == ':' && line.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(name.Length + 1)..].Trim();
            }
        }

        return null;
    }

    private static (string Body, int End) Dechunk(string text, int offset)
    {
        var body = new StringBuilder();
        while (true)
        {
            var lineEnd = text.IndexOf("\r\n", offset, StringComparison.Ordinal);
            if (lineEnd < 0 || !int.TryParse(text.AsSpan(offset, lineEnd - offset).TrimEnd(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size))
            {
                return (body.ToString(), -1);
            }

            offset = lineEnd + 2;
            if (size == 0)
            {
                var end = text.IndexOf("\r\n\r\n", offset - 2, StringComparison.Ordinal);
                return (body.ToString(), end < 0 ? -1 : end + 4);
            }

            if (text.Length < offset + size + 2)
            {
                body.Append(text.AsSpan(offset, Math.Max(0, Math.Min(size, text.Length - offset))));
                return (body.ToString(), -1);
            }

            body.Append(text.AsSpan(offset, size));
            offset += size + 2;
        }
    }
}
