using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Berth.Proxy.Origins;

/// <summary>How the origin's response body is delimited, from its head (RFC 9112 §6.3).</summary>
internal readonly record struct ResponseFraming(int Status, long ContentLength, bool Chunked, bool KeepAlive)
{
    /// <summary>Neither a length nor chunked: the body ends when the origin closes the connection.</summary>
    public bool UntilClose => ContentLength < 0 && !Chunked;

    /// <summary>
    /// Whether the connection may carry another request after this answer. A bodiless answer (to HEAD,
    /// 204, 304) whose head announces a body is not trusted to have sent none: an origin that sends it
    /// anyway would hand those bytes to the next request as its answer.
    /// </summary>
    public bool Reusable(bool bodiless) => KeepAlive && (bodiless ? ContentLength <= 0 && !Chunked : !UntilClose);
}

/// <summary>
/// Parses the origin's response head. The origin is a tenant's program, so nothing in it is trusted:
/// a malformed head, an obsolete line folding, conflicting lengths or a header Kestrel would refuse
/// end the request with a 502 page, never with bytes of that head reaching the client unchecked.
/// </summary>
internal static class OriginResponseHead
{
    /// <summary>The largest response head the edge reads (and the buffer a body is passed through).</summary>
    public const int MaxSize = 64 * 1024;

    // Header names one answer's Connection headers may nominate (bounds the second pass's work).
    private const int MaxNominated = 32;

    // Common names as shared strings: no allocation for them, and Kestrel's known-header fast paths.
    private static readonly string[] KnownNames =
    [
        "Content-Type", "Date", "Server", "Cache-Control", "ETag", "Last-Modified", "Accept-Ranges", "Vary",
        "Expires", "Location", "Set-Cookie", "Content-Encoding", "Content-Language", "Content-Disposition",
        "Access-Control-Allow-Origin", "X-Content-Type-Options", "Strict-Transport-Security", "Pragma", "Age",
    ];

    private static readonly byte[][] KnownNameBytes = [.. KnownNames.Select(Encoding.ASCII.GetBytes)];

    /// <summary>
    /// The length of the head when <paramref name="data"/> holds all of it (through the empty line), else 0.
    /// </summary>
    public static int FindEnd(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        while (true)
        {
            var newline = data[offset..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return 0;
            }

            var line = data.Slice(offset, newline);
            offset += newline + 1;
            if (line.IsEmpty || (line.Length == 1 && line[0] == '\r'))
            {
                return offset;
            }
        }
    }

    /// <summary>The status code of a complete head (validates the status line).</summary>
    public static int Status(ReadOnlySpan<byte> head)
    {
        var line = Line(head, out _);
        // "HTTP/1.x SSS[ reason]"
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || (line[7] != '0' && line[7] != '1') || line[8] != ' '
            || !IsDigit(line[9]) || !IsDigit(line[10]) || !IsDigit(line[11]) || (line.Length > 12 && line[12] != ' '))
        {
            throw new OriginProtocolException("the origin's status line is not HTTP/1.x");
        }

        var status = ((line[9] - '0') * 100) + ((line[10] - '0') * 10) + (line[11] - '0');
        return status >= 100 ? status : throw new OriginProtocolException("the origin's status code is out of range");
    }

    /// <summary>
    /// Copies <paramref name="status"/> (from <see cref="Status"/>, which validated the status line) and the
    /// end-to-end headers of a complete final head to <paramref name="response"/>.
    /// </summary>
    public static ResponseFraming Apply(ReadOnlySpan<byte> head, int status, HttpResponse response)
    {
        response.StatusCode = status;
        var sink = new ResponseSink(response.Headers);
        var framing = Parse(head, status, ref sink, dropNominated: false, out var nominates);
        if (nominates)
        {
            response.Headers.Clear();
            framing = Parse(head, status, ref sink, dropNominated: true, out _);
        }

        if (framing.ContentLength >= 0 && status != StatusCodes.Status204NoContent)
        {
            response.ContentLength = framing.ContentLength;
        }

        return framing;
    }

    /// <summary>
    /// Writes the head the client gets for a complete final head: the status line as HTTP/1.1, the
    /// end-to-end headers as the origin sent them, the framing headers that hold for the body passed on as
    /// it is (<c>Transfer-Encoding</c> lines, else <c>Content-Length</c>), and <c>Connection: close</c> when
    /// the client asked for it (<paramref name="clientCloses"/>) or the body ends only with the connection;
    /// <paramref name="closeClient"/> tells the caller. <paramref name="buffer"/> holds at least
    /// <see cref="TranslatedSize"/> bytes. <paramref name="bodiless"/>: the answer has no body whatever its
    /// head says (a HEAD request's).
    /// </summary>
    public static ResponseFraming Translate(
        ReadOnlySpan<byte> head, int status, bool bodiless, bool clientCloses, Span<byte> buffer, out int length, out bool closeClient)
    {
        var statusLine = Line(head, out _);
        if (!IsFieldValue(statusLine[9..]))
        {
            throw new OriginProtocolException("the origin's reason phrase has control characters");
        }

        var sink = new BytesSink(buffer);
        sink.Write("HTTP/1.1 "u8);
        sink.Write(statusLine[9..]);
        sink.Write("\r\n"u8);
        var headersStart = sink.Length;
        var framing = Parse(head, status, ref sink, dropNominated: false, out var nominates);
        if (nominates)
        {
            sink.Rewind(headersStart);
            framing = Parse(head, status, ref sink, dropNominated: true, out _);
        }
        if (framing.ContentLength >= 0)
        {
            sink.Write("Content-Length: "u8);
            sink.Write(sink.ContentLength);
            sink.Write("\r\n"u8);
        }

        closeClient = clientCloses
            || (framing.UntilClose && !bodiless && status is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified));
        if (closeClient)
        {
            sink.Write("Connection: close\r\n"u8);
        }

        sink.Write("\r\n"u8);
        length = sink.Length;
        return framing;
    }

    /// <summary>
    /// The size of a buffer that holds the client's head for an origin head of <paramref name="headLength"/>
    /// bytes: each line may grow by a byte (a bare LF written as CRLF), plus the edge's own lines.
    /// </summary>
    public static int TranslatedSize(int headLength) => (2 * headLength) + 64;

    private interface IHeaderSink
    {
        /// <summary>An end-to-end header: <paramref name="line"/> is the whole line without its end.</summary>
        void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ReadOnlySpan<byte> line);

        /// <summary>A <c>Content-Length</c> or <c>Transfer-Encoding</c> header.</summary>
        void Framing(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ReadOnlySpan<byte> line);
    }

    /// <summary>
    /// Passes the head's headers to <paramref name="sink"/>. <paramref name="nominates"/>: a <c>Connection</c>
    /// header names other headers, which end at this hop (RFC 9110 §7.6.1); they are dropped only in a
    /// second pass with <paramref name="dropNominated"/> (rare: no cost for the common head).
    /// </summary>
    private static ResponseFraming Parse<TSink>(ReadOnlySpan<byte> head, int status, ref TSink sink, bool dropNominated, out bool nominates)
        where TSink : IHeaderSink, allows ref struct
    {
        nominates = false;
        var nominations = 0;
        Line(head, out var offset);
        var http10 = head[7] == '0';
        var keepAlive = !http10;
        long contentLength = -1;
        var chunked = false;
        var transferEncoding = false;
        while (true)
        {
            var line = Line(head[offset..], out var consumed);
            offset += consumed;
            if (line.IsEmpty)
            {
                break;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                throw new OriginProtocolException("the origin folded a header line (obsolete in HTTP/1.1)");
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !HeadRules.IsToken(line[..colon]))
            {
                throw new OriginProtocolException("the origin sent a malformed header line");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (!IsFieldValue(value))
            {
                throw new OriginProtocolException("the origin sent a header value with control characters");
            }

            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!TryParseLength(value, out var length) || (contentLength >= 0 && contentLength != length))
                {
                    throw new OriginProtocolException("the origin sent an invalid or conflicting Content-Length");
                }

                contentLength = length;
                sink.Framing(name, value, line);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                transferEncoding = true;
                chunked = LastToken(value).Length > 0 && Ascii.EqualsIgnoreCase(LastToken(value), "chunked"u8);
                sink.Framing(name, value, line);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                foreach (var range in value.Split((byte)','))
                {
                    var token = value[range].Trim(" \t"u8);
                    if (Ascii.EqualsIgnoreCase(token, "close"u8))
                    {
                        keepAlive = false;
                    }
                    else if (Ascii.EqualsIgnoreCase(token, "keep-alive"u8))
                    {
                        keepAlive = true;
                    }
                    else if (!token.IsEmpty)
                    {
                        nominates = true;
                        if (++nominations > MaxNominated)
                        {
                            throw new OriginProtocolException("the origin's Connection header names too many headers");
                        }
                    }
                }
            }
            else if (!IsHopByHop(name) && !(dropNominated && IsNominated(head, name)))
            {
                sink.Add(name, value, line);
            }
        }

        if (transferEncoding)
        {
            // Transfer-Encoding overrides Content-Length (RFC 9112 §6.3); a message with both is suspect: not reused.
            keepAlive &= contentLength < 0;
            contentLength = -1;
        }

        return new ResponseFraming(status, contentLength, chunked, keepAlive);
    }

    private readonly struct ResponseSink(IHeaderDictionary headers) : IHeaderSink
    {
        public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ReadOnlySpan<byte> line)
        {
            // Not IHeaderDictionary.Append: it drops empty values, which are legal and some origins mean them.
            var key = NameOf(name);
            var text = Encoding.Latin1.GetString(value);
            if (!headers.TryAdd(key, text))
            {
                headers[key] = StringValues.Concat(headers[key], text);
            }
        }

        public void Framing(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ReadOnlySpan<byte> line)
        {
        }
    }

    private ref struct BytesSink(Span<byte> buffer) : IHeaderSink
    {
        private readonly Span<byte> _buffer = buffer;

        public int Length { get; private set; }

        public ReadOnlySpan<byte> ContentLength { get; private set; }

        public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ReadOnlySpan<byte> line)
        {
            Write(line);
            Write("\r\n"u8);
        }

        /// <summary>Transfer-Encoding lines pass as they are (they describe the body passed on as it is); Content-Length waits: it holds only without them.</summary>
        public void Framing(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ReadOnlySpan<byte> line)
        {
            if (name.Length == "Content-Length".Length)
            {
                ContentLength = value;
            }
            else
            {
                Add(name, value, line);
            }
        }

        public void Write(scoped ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer[Length..]);
            Length += bytes.Length;
        }

        /// <summary>Forgets what was written after <paramref name="length"/> bytes.</summary>
        public void Rewind(int length)
        {
            Length = length;
            ContentLength = default;
        }
    }

    /// <summary>Whether a <c>Connection</c> header of <paramref name="head"/> names <paramref name="name"/>.</summary>
    private static bool IsNominated(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name)
    {
        Line(head, out var offset);
        while (true)
        {
            var line = Line(head[offset..], out var consumed);
            offset += consumed;
            if (line.IsEmpty)
            {
                return false;
            }

            var colon = line.IndexOf((byte)':');
            if (!Ascii.EqualsIgnoreCase(line[..colon], "Connection"u8))
            {
                continue;
            }

            var value = line[(colon + 1)..];
            foreach (var range in value.Split((byte)','))
            {
                if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), name))
                {
                    return true;
                }
            }
        }
    }

    private static ReadOnlySpan<byte> Line(ReadOnlySpan<byte> data, out int consumed)
    {
        var newline = data.IndexOf((byte)'\n');
        consumed = newline + 1;
        var line = data[..newline];
        return line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;
    }

    private static ReadOnlySpan<byte> LastToken(ReadOnlySpan<byte> value)
    {
        var comma = value.LastIndexOf((byte)',');
        return (comma < 0 ? value : value[(comma + 1)..]).Trim(" \t"u8);
    }

    private static bool IsHopByHop(ReadOnlySpan<byte> name) =>
        Ascii.EqualsIgnoreCase(name, "Keep-Alive"u8) || Ascii.EqualsIgnoreCase(name, "Proxy-Connection"u8)
        || Ascii.EqualsIgnoreCase(name, "Trailer"u8) || Ascii.EqualsIgnoreCase(name, "Upgrade"u8) || Ascii.EqualsIgnoreCase(name, "TE"u8);

    private static string NameOf(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < KnownNameBytes.Length; i++)
        {
            if (KnownNameBytes[i].Length == name.Length && Ascii.EqualsIgnoreCase(name, KnownNameBytes[i]))
            {
                return KnownNames[i];
            }
        }

        return Encoding.ASCII.GetString(name);
    }

    private static bool TryParseLength(ReadOnlySpan<byte> value, out long length)
    {
        length = 0;
        if (value.IsEmpty || value.Length > 18)
        {
            return false;
        }

        foreach (var b in value)
        {
            if (!IsDigit(b))
            {
                return false;
            }

            length = (length * 10) + (b - '0');
        }

        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    // field-value: visible characters, space, tab and obs-text; never NUL, CR, LF or other controls.
    private static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        foreach (var b in value)
        {
            if ((b < 0x20 && b != '\t') || b == 0x7F)
            {
                return false;
            }
        }

        return true;
    }
}
