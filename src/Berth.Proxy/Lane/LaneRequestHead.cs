using System.Text;

namespace Berth.Proxy.Lane;

/// <summary>What the plain lane decided about a client's request head.</summary>
internal enum LaneDecision
{
    /// <summary>The head is not complete yet.</summary>
    NeedMore,

    /// <summary>A plain request the lane forwards itself.</summary>
    Forward,

    /// <summary>Anything else: Kestrel takes the connection from this request on.</summary>
    Kestrel,
}

/// <summary>
/// Reads a client's HTTP/1.1 request head for the plain lane, and writes the head sent to the origin in
/// the same pass. Only the unambiguous common request is accepted: <c>GET</c> or <c>HEAD</c>, an
/// origin-form target, <c>HTTP/1.1</c>, CRLF line ends, exactly one <c>Host</c> that can name a route,
/// no body framing, <c>Connection</c> only <c>keep-alive</c> or <c>close</c>, no <c>Upgrade</c> or
/// <c>Expect</c>, only visible ASCII. Anything outside that (including every malformed head) is left to Kestrel, whose parser and
/// limits answer it; so this parser never has to refuse anything itself.
/// </summary>
internal static class LaneRequestHead
{
    /// <summary>The longest head the lane reads (the configured limit when lower); a longer one is Kestrel's.</summary>
    public const int MaxLength = 8 * 1024;

    /// <summary>The most header lines a head of the lane's may have (the configured limit when lower).</summary>
    public const int MaxHeaderLines = 64;

    /// <summary>
    /// Finds the end of the head in <paramref name="data"/>: its length through the empty line, 0 when
    /// incomplete, -1 when no head of the lane's (at most <paramref name="maxLength"/> bytes) ends here.
    /// </summary>
    public static int FindEnd(ReadOnlySpan<byte> data, int maxLength)
    {
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end >= 0)
        {
            return end + 4 <= maxLength ? end + 4 : -1;
        }

        // A head with bare LF line ends never shows CRLFCRLF: it is Kestrel's (which answers it) at once,
        // not after the request-headers timeout.
        return data.Length >= maxLength || HasBareLineFeed(data) ? -1 : 0;
    }

    private static bool HasBareLineFeed(ReadOnlySpan<byte> data)
    {
        for (var offset = 0; ;)
        {
            var lineFeed = data[offset..].IndexOf((byte)'\n');
            if (lineFeed < 0)
            {
                return false;
            }

            offset += lineFeed;
            if (offset == 0 || data[offset - 1] != '\r')
            {
                return true;
            }

            offset++;
        }
    }

    /// <summary>The size of a buffer that holds the origin's head for a client's head of <paramref name="headLength"/> bytes.</summary>
    public static int TranslatedSize(int headLength) => (3 * headLength) + 128;

    /// <summary>
    /// Parses a complete head (<paramref name="head"/>, from <see cref="FindEnd"/>) and writes the origin's
    /// head into <paramref name="buffer"/> (at least <see cref="TranslatedSize"/> long). False when the
    /// request is not the lane's; else <paramref name="host"/> is the <c>Host</c> value as the client sent
    /// it and <paramref name="length"/> the length of the origin's head.
    /// </summary>
    public static bool TryTranslate(
        ReadOnlySpan<byte> head,
        int maxHeaders,
        ReadOnlySpan<byte> clientAddress,
        Span<byte> buffer,
        out ReadOnlySpan<byte> host,
        out bool isHead,
        out bool close,
        out int length)
    {
        host = default;
        length = 0;
        close = false;
        var lineEnd = head.IndexOf("\r\n"u8);
        var requestLine = head[..lineEnd];
        isHead = requestLine.StartsWith("HEAD /"u8);
        if ((!isHead && !requestLine.StartsWith("GET /"u8)) || !requestLine.EndsWith(" HTTP/1.1"u8))
        {
            return false;
        }

        // The target: visible ASCII only (no space, no control, no obs-text). Its path without a dot segment
        // start or an escape: Kestrel removes dot segments and decodes escapes before it compares a path
        // with the ACME challenges' ("/./.well-known/…", "/%2e/.well-known/…"), so such a path goes the
        // general way, where the edge answers challenges; "/.well-known/…" itself has "/." too.
        var target = requestLine[(isHead ? 5 : 4)..^9];
        var query = target.IndexOf((byte)'?');
        var path = query < 0 ? target : target[..query];
        if (target.ContainsAnyExceptInRange((byte)0x21, (byte)0x7E) || path.IndexOf("/."u8) >= 0 || path.Contains((byte)'%'))
        {
            return false;
        }

        Span<Range> forwarded = stackalloc Range[MaxHeaderLines];
        var count = 0;
        var lines = 0;
        var sawHost = false;
        var offset = lineEnd + 2;
        while (offset < head.Length - 2)
        {
            lineEnd = head[offset..].IndexOf("\r\n"u8);
            var line = head.Slice(offset, lineEnd);
            if (++lines > maxHeaders)
            {
                return false;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !HeadRules.IsToken(line[..colon]))
            {
                return false;
            }

            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (!IsVisible(value))
            {
                return false;
            }

            switch (Classify(line[..colon], value))
            {
                case HeaderKind.Forwarded:
                    forwarded[count++] = new Range(offset, offset + lineEnd + 2);
                    break;
                case HeaderKind.Host when !sawHost && IsHostName(value):
                    sawHost = true;
                    host = value;
                    break;
                case HeaderKind.Dropped:
                    break;
                case HeaderKind.Close:
                    close = true;
                    break;
                default:
                    return false;
            }

            offset += lineEnd + 2;
        }

        if (!sawHost)
        {
            return false;
        }

        // Request line, Host first (as the general path writes it), the client's end-to-end headers, the edge's X-Forwarded-*.
        var writer = new SpanWriter(buffer);
        writer.Write(head[..(requestLine.Length + 2)]);
        writer.Write("Host: "u8);
        writer.Write(host);
        writer.Write("\r\n"u8);
        foreach (var range in forwarded[..count])
        {
            writer.Write(head[range]);
        }

        if (!clientAddress.IsEmpty)
        {
            writer.Write("X-Forwarded-For: "u8);
            writer.Write(clientAddress);
            writer.Write("\r\n"u8);
        }

        writer.Write("X-Forwarded-Proto: http\r\nX-Forwarded-Host: "u8);
        writer.Write(host);
        writer.Write("\r\n\r\n"u8);
        length = writer.Length;
        return true;
    }

    private ref struct SpanWriter(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Length { get; private set; }

        public void Write(scoped ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer[Length..]);
            Length += bytes.Length;
        }
    }

    private enum HeaderKind
    {
        Forwarded,
        Host,
        Dropped,
        Close,
        NotLane,
    }

    private static HeaderKind Classify(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        if (Ascii.EqualsIgnoreCase(name, "Host"u8))
        {
            return HeaderKind.Host;
        }

        // Body framing, upgrades, expectations and connection options are Kestrel's to handle.
        if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8) || Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8)
            || Ascii.EqualsIgnoreCase(name, "Upgrade"u8) || Ascii.EqualsIgnoreCase(name, "Expect"u8)
            || Ascii.EqualsIgnoreCase(name, "TE"u8) || Ascii.EqualsIgnoreCase(name, "Trailer"u8)
            || Ascii.EqualsIgnoreCase(name, "Proxy-Connection"u8))
        {
            return HeaderKind.NotLane;
        }

        if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            return Ascii.EqualsIgnoreCase(value, "keep-alive"u8) ? HeaderKind.Dropped
                : Ascii.EqualsIgnoreCase(value, "close"u8) ? HeaderKind.Close
                : HeaderKind.NotLane;
        }

        // Kept on the edge as on the general path: Keep-Alive, the forwarding and client-address headers
        // (the edge writes its own X-Forwarded-*), CF-Connecting-IP (Cloudflare's peers never take the
        // lane), and their underscore twins.
        return HeadRules.IsDropped(name) || Ascii.EqualsIgnoreCase(name, "CF-Connecting-IP"u8)
            ? HeaderKind.Dropped
            : HeaderKind.Forwarded;
    }

    /// <summary>
    /// A name a route can have (letters, digits, <c>.-_</c>) with an optional port: nothing else can match
    /// a route, and Kestrel decides about every other form (IP literals, invalid ports, odd characters).
    /// </summary>
    private static bool IsHostName(ReadOnlySpan<byte> value)
    {
        var colon = value.IndexOf((byte)':');
        var name = colon < 0 ? value : value[..colon];
        if (name.IsEmpty || name.Length > 255)
        {
            return false;
        }

        foreach (var b in name)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'.' or (byte)'-' or (byte)'_'))
            {
                return false;
            }
        }

        if (colon < 0)
        {
            return true;
        }

        var port = value[(colon + 1)..];
        if (port.IsEmpty || port.Length > 5)
        {
            return false;
        }

        var number = 0;
        foreach (var b in port)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            number = (number * 10) + (b - '0');
        }

        return number <= 65535;
    }

    // Visible ASCII, space and tab: no controls, no obs-text (Kestrel decides about those).
    private static bool IsVisible(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if ((b < 0x20 && b != '\t') || b >= 0x7F)
            {
                return false;
            }
        }

        return true;
    }
}
