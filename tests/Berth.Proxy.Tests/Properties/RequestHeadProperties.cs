using System.Buffers;
using System.Text;
using Berth.Proxy.Origins;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Proxy.Tests.Properties;

/// <summary>
/// Properties of the request head the general path writes to an origin (<see cref="OriginRequestHead.TryWrite"/>)
/// from a request as Kestrel parsed it: it is refused, or it is one well-formed head with the client's
/// Host first, the framing the edge chose and the edge's own forwarding headers.
/// </summary>
public sealed class RequestHeadProperties
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "M-SEARCH"];

    private static readonly (string Raw, string Path, string Query)[] Targets =
        [("/", "/", ""), ("/a?b=c", "/a", "?b=c"), ("/x/y", "/x/y", ""), ("/%41", "/A", ""), ("http://a.test/p?q", "/p", "?q")];

    private static readonly string[] Names =
    [
        "Accept", "User-Agent", "X-Custom", "Cookie", "Content-Type", "Connection", "Keep-Alive", "TE", "Trailer", "Upgrade", "Expect",
        "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "CF-Connecting-IP", "Proxy-Connection", "Content-Length",
        "Transfer-Encoding", "X-Real-IP", "X_Forwarded_For", "Content_Length", "True-Client-IP", "X-Secret",
    ];

    private static readonly string[] Values = ["1", "a b", "\tx", "close", "", "X-Secret", "keep-alive, X-Secret", "1.2.3.4"];

    private static readonly string[] NeverFromTheClient =
        ["Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade", "Expect", "Forwarded", "Transfer-Encoding", "Content-Length"];

    private static readonly string[] NeverAfterAudit =
    [
        .. NeverFromTheClient, "Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP", "True-Client-IP", "X-Client-IP",
        "X-Cluster-Client-IP", "CF-Connecting-IP",
    ];

    private sealed record RequestCase(
        string Method, (string Raw, string Path, string Query) Target, string Host, (string Name, string Value)[] Headers, RequestBodyFraming Framing,
        string? ClientAddress, bool TrustedPeer, bool Https)
    {
        public override string ToString() =>
            $"{Method} {Target.Raw} host={Host} framing={Framing} client={ClientAddress} trusted={TrustedPeer} https={Https} "
            + string.Join(" | ", Headers.Select(h => $"{h.Name}: {h.Value}"));
    }

    private static Gen<RequestCase> Requests(Gen<string> methods, Gen<(string, string, string)> targets, Gen<string> names) =>
        Gen.Select(
            methods,
            targets,
            Gen.OneOf("a.test", "a.test:8080", string.Empty),
            Gen.Select(names, Gen.OneOf(Values)).Array[0, 8],
            Gen.OneOf(RequestBodyFraming.None, RequestBodyFraming.ContentLength, RequestBodyFraming.Chunked),
            Gen.OneOf<string?>("203.0.113.9", "::1", null),
            Gen.Bool,
            Gen.Bool,
            (method, target, host, headers, framing, client, trusted, https) => new RequestCase(method, target, host, headers, framing, client, trusted, https));

    [Fact]
    public void TryWrite_RequestsAsKestrelParsesThem_WritesOneWellFormedHead()
    {
        var written = 0;
        Requests(Gen.OneOf(Methods), Gen.OneOf(Targets), Gen.OneOf(Names)).Sample(
            request => written += Check(request, audit: false) ? 1 : 0,
            iter: 2000,
            threads: 1);

        Assert.InRange(written, 1000, 2000);
    }

    /// <summary>E1: a method or header name that is not a token, or a target byte outside 0x21-0x7E, never reaches the origin.</summary>
    [Fact]
    public void TryWrite_MethodNameOrTargetOutsideTheGrammar_IsRefused() =>
        Requests(
            Gen.OneOf([.. Methods, "G ET", "GET\t", "GE:T", "GET\u0001"]),
            Gen.OneOf([.. Targets, ("/a b", "/a b", ""), ("/a\tb", "/a\tb", ""), ("/\u007f", "/\u007f", "")]),
            Gen.OneOf([.. Names, "X Y", "a:b", "X\tY", "(x)", "X@Y"])).Sample(
            request => { Check(request, audit: true); },
            iter: 1000,
            threads: 1);

    /// <summary>E8: an asterisk-form target stays an asterisk.</summary>
    [Fact]
    public void TryWrite_OptionsAsterisk_IsWrittenAsAnAsterisk()
    {
        var request = new RequestCase("OPTIONS", ("*", string.Empty, string.Empty), "a.test", [], RequestBodyFraming.None, "203.0.113.9", false, false);

        Assert.True(Write(request, out var head));
        Assert.StartsWith("OPTIONS * HTTP/1.1\r\n", Encoding.ASCII.GetString(head), StringComparison.Ordinal);
    }

    /// <summary>E5/E6/E12: forwarding headers, their '_' twins and the names Connection nominates never reach the origin.</summary>
    [Fact]
    public void TryWrite_ForwardingHeadersTwinsAndConnectionNominees_AreNeverWritten() =>
        Requests(Gen.OneOf(Methods), Gen.OneOf(Targets), Gen.OneOf(Names)).Sample(
            request => { Check(request, audit: true); },
            iter: 1000,
            threads: 1);

    private static bool Write(RequestCase request, out byte[] head)
    {
        var context = new DefaultHttpContext();
        var http = context.Request;
        http.Method = request.Method;
        http.Path = new PathString(request.Target.Path);
        http.QueryString = new QueryString(request.Target.Query.Length == 0 ? null : request.Target.Query);
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = request.Target.Raw;
        http.Scheme = request.Https ? "https" : "http";
        if (request.Host.Length > 0)
        {
            http.Host = new HostString(request.Host);
        }

        foreach (var (name, value) in request.Headers)
        {
            http.Headers.Append(name, value);
        }

        if (request.Framing == RequestBodyFraming.ContentLength)
        {
            http.ContentLength = 12;
        }

        if (!OriginRequestHead.TryWrite(context, request.ClientAddress, request.TrustedPeer, request.Framing, out var buffer, out var length))
        {
            head = [];
            return false;
        }

        head = buffer.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(buffer);
        return true;
    }

    private static bool Check(RequestCase request, bool audit)
    {
        if (!Write(request, out var head))
        {
            return false;
        }

        var (requestLine, fields) = Http11.ReadHead(head, obsText: false, "the origin's request head");
        var line = Encoding.Latin1.GetString(requestLine);
        var parts = line.Split(' ');
        Assert.True(parts.Length == 3 && parts[2] == "HTTP/1.1", $"request line '{line}' for {request}");
        Assert.True(Http11.IsToken(parts[0]), $"method of '{line}' is not a token, for {request}");
        Assert.True(parts[1].Length > 0 && parts[1].All(c => c is > ' ' and < '\u007f'), $"target of '{line}' for {request}");
        Assert.Equal(request.Method, parts[0]);
        Assert.Equal(request.Target.Raw.StartsWith('/') ? request.Target.Raw : request.Target.Path + request.Target.Query, parts[1]);

        Assert.Equal(("Host", request.Host), (fields[0].Name, fields[0].Value));
        Assert.Single(fields, f => f.Name.Equals("Host", StringComparison.OrdinalIgnoreCase));

        var lengths = fields.Where(f => f.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(f => f.Value).ToList();
        var encodings = fields.Where(f => f.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Select(f => f.Value).ToList();
        var bodiless = request.Method is "POST" or "PUT" or "PATCH" ? "0" : string.Empty;
        var expected = request.Framing switch
        {
            RequestBodyFraming.ContentLength => ("12", string.Empty),
            RequestBodyFraming.Chunked => (string.Empty, "chunked"),
            _ => (bodiless, string.Empty),
        };
        Assert.Equal(expected, (string.Join('|', lengths), string.Join('|', encodings)));

        // The edge's X-Forwarded-* once each, last; nothing the client sent in them.
        List<(string, string)> forwarding = [];
        if (request.ClientAddress is not null)
        {
            forwarding.Add(("X-Forwarded-For", request.ClientAddress));
        }

        forwarding.Add(("X-Forwarded-Proto", request.Https ? "https" : "http"));
        if (request.Host.Length > 0)
        {
            forwarding.Add(("X-Forwarded-Host", request.Host));
        }

        Assert.Equal(forwarding, fields[^forwarding.Count..].Select(f => (f.Name, f.Value)));
        var middle = fields[1..^forwarding.Count].Where(f => f.Name is not ("Content-Length" or "Transfer-Encoding")).ToList();
        foreach (var field in middle)
        {
            Assert.True(
                request.Headers.Any(h => h.Name == field.Name && h.Value.Trim(' ', '\t') == field.Value),
                $"the origin's head has '{field.Name}: {field.Value}' the client did not send, for {request}");
            Assert.DoesNotContain(field.Name, NeverFromTheClient, StringComparer.OrdinalIgnoreCase);
            Assert.False(field.Name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase), $"the client's {field.Name} reached the origin");
            Assert.True(request.TrustedPeer || !field.Name.Equals("CF-Connecting-IP", StringComparison.OrdinalIgnoreCase), "CF-Connecting-IP from an untrusted peer");
            if (audit)
            {
                // CF-Connecting-IP itself passes from Cloudflare's peers (the client address they vouch for); its twins never.
                var fromCloudflare = request.TrustedPeer && field.Name.Equals("CF-Connecting-IP", StringComparison.OrdinalIgnoreCase);
                Assert.False(!fromCloudflare && Http11.IsOrTwin(field.Name, NeverAfterAudit), $"E5/E6: the client's {field.Name} reached the origin, for {request}");
                var nominated = request.Headers.Where(h => h.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                    .SelectMany(h => h.Value.Split(',')).Select(t => t.Trim(' ', '\t'));
                Assert.False(nominated.Contains(field.Name, StringComparer.OrdinalIgnoreCase), $"E12: {field.Name}, nominated by Connection, reached the origin");
            }
        }

        return true;
    }
}
