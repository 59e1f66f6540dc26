using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Berth.Proxy;

/// <summary>
/// What of a client's request may reach an origin, and the syntax of head fields, one set of rules for every path (the plain lane, the
/// edge's own origin client, YARP's forwarder) and every client protocol. Kestrel's HTTP/2 and HTTP/3
/// decoders pass field names with spaces, tabs or colons and <c>:path</c> values with spaces: written to
/// an HTTP/1.1 origin as they are, they would become extra headers or requests (RFC 9113 §8.2.1, §8.3.1).
/// </summary>
internal static class HeadRules
{
    // Headers the edge never passes on: hop-by-hop ones (RFC 9110 §7.6.1), the framing it decides
    // itself, the forwarding headers it writes itself, and client-address headers an origin might
    // believe (X-Real-IP and its relatives). CF-Connecting-IP is decided separately (Cloudflare's peers).
    private static readonly FrozenSet<string> NeverForwarded = new[]
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Content-Length", "Expect", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded",
        "X-Real-IP", "True-Client-IP", "X-Client-IP", "X-Cluster-Client-IP",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> NeverForwardedLookup =
        NeverForwarded.GetAlternateLookup<ReadOnlySpan<char>>();

    private const string Tchar = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly SearchValues<char> TokenChars = SearchValues.Create(Tchar);
    private static readonly SearchValues<byte> TokenBytes = SearchValues.Create(Encoding.ASCII.GetBytes(Tchar));

    /// <summary>
    /// Whether every part of the request head can be written to an HTTP/1.1 origin unchanged: the method
    /// and every header name are tokens, the target is visible ASCII, header values have no control
    /// characters but tab. Anything else is answered 400 by the edge, whatever path would have taken it.
    /// </summary>
    public static bool IsForwardable(HttpContext context)
    {
        var request = context.Request;
        if (!IsToken(request.Method))
        {
            return false;
        }

        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target) || !IsVisible(target) || !IsVisible(request.Host.Value))
        {
            return false;
        }

        // No transfer coding but chunked: the edge decodes chunked only, and the origin would get the body
        // still coded under a "chunked" of the edge's own.
        var headers = request.Headers;
        if (headers.TransferEncoding.Count > 0 && !IsChunkedOnly(headers.TransferEncoding))
        {
            return false;
        }

        foreach (var (name, values) in headers)
        {
            // Kestrel keeps HTTP/2's pseudo-headers (":authority", ":path", …) beside the others.
            if (!IsToken(name.Length > 1 && name[0] == ':' ? name.AsSpan(1) : name))
            {
                return false;
            }

            foreach (var value in values)
            {
                if (!IsFieldValue(value))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a client's header stays on the edge: one of <see cref="NeverForwarded"/>, a header the
    /// client's <c>Connection</c> nominated (<paramref name="nominated"/>), or an underscore twin of one
    /// (<c>X_Forwarded_For</c>): CGI, WSGI and Rack servers read <c>_</c> as <c>-</c>.
    /// </summary>
    public static bool IsDropped(ReadOnlySpan<char> name, StringValues nominated)
    {
        if (NeverForwardedLookup.Contains(name) || IsNominated(name, nominated))
        {
            return true;
        }

        var underscore = name.IndexOf('_');
        if (underscore < 0 || name.Length > 64)
        {
            return false;
        }

        Span<char> folded = stackalloc char[name.Length];
        name.Replace(folded, '_', '-');
        return NeverForwardedLookup.Contains(folded)
            || folded.Equals(ClientAddressResolver.CloudflareHeader, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary><see cref="IsDropped(ReadOnlySpan{char}, StringValues)"/> for the raw bytes of a header name.</summary>
    public static bool IsDropped(ReadOnlySpan<byte> name)
    {
        if (name.Length > 64)
        {
            return false;
        }

        Span<char> text = stackalloc char[name.Length];
        Encoding.ASCII.GetChars(name, text);
        return IsDropped(text, default);
    }

    /// <summary>The values of a <c>Connection</c> header nominate headers that end at this hop (RFC 9110 §7.6.1).</summary>
    public static bool IsNominated(ReadOnlySpan<char> name, StringValues connection)
    {
        foreach (var value in connection)
        {
            foreach (var range in value.AsSpan().Split(','))
            {
                if (value.AsSpan()[range].Trim(" \t").Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A token (RFC 9110 §5.6.2): what methods and header names are made of.</summary>
    public static bool IsToken(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExcept(TokenChars);

    /// <summary>A token, as bytes.</summary>
    public static bool IsToken(ReadOnlySpan<byte> text) => !text.IsEmpty && !text.ContainsAnyExcept(TokenBytes);

    /// <summary>Visible ASCII only (0x21–0x7E): a request target.</summary>
    public static bool IsVisible(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('!', '~');

    private static bool IsChunkedOnly(StringValues values) =>
        values.Count == 1 && values[0].AsSpan().Trim(" \t").Equals("chunked", StringComparison.OrdinalIgnoreCase);

    // A field value: no NUL, CR, LF or other control characters but tab (obs-text is the path's to decide).
    private static bool IsFieldValue(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if ((c < ' ' && c != '\t') || c == '\x7F')
            {
                return false;
            }
        }

        return true;
    }
}
