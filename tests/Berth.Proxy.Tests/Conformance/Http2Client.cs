using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Berth.Proxy.Tests.Conformance;

/// <summary>What came back for one HTTP/2 request.</summary>
/// <param name="Status">The final :status, or null when none came.</param>
/// <param name="Body">The DATA of the stream (Latin-1 text).</param>
/// <param name="Reset">The RST_STREAM error code for the stream, if it was reset.</param>
/// <param name="GoAway">The GOAWAY error code, if the connection was ended.</param>
internal sealed record Http2Outcome(int? Status, string Body, int? Reset, int? GoAway)
{
    /// <summary>The request was refused at the protocol level: the stream reset or the connection ended with an error.</summary>
    public bool Refused => Status is null && (Reset is not null || GoAway is not null);

    public override string ToString() => $"status {Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, reset {Reset}, goaway {GoAway}, body '{Body}'";
}

/// <summary>
/// A deliberately minimal HTTP/2 client over TLS for conformance rows: it sends header fields exactly as
/// given (any bytes in names and values, pseudo-headers anywhere, duplicates), which an HTTP/2 library
/// refuses to do. One request per connection, on stream 1. HPACK out: every field a literal without
/// indexing, new name, no Huffman (RFC 7541 §6.2.2). HPACK in: the static table, literals and Huffman;
/// the dynamic table is kept at size 0 by our SETTINGS, so the server never adds to it.
/// </summary>
internal static class Http2Client
{
    private const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAwayFrame = 0x7, Continuation = 0x9;
    private const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, Priority = 0x20;

    /// <summary>Sends one request (header fields in order, optional DATA) and reads until its stream ends, is reset, or the connection ends (at most 10 s).</summary>
    public static async Task<Http2Outcome> SendAsync(int port, string serverName, IReadOnlyList<(string Name, string Value)> fields, string? data = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                ApplicationProtocols = [SslApplicationProtocol.Http2],
                // The edge's certificate for the test names is self-signed: its trust is not what is tested.
#pragma warning disable CA5359
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
            },
            timeout.Token);
        if (tls.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
        {
            throw new InvalidOperationException("The edge did not negotiate h2.");
        }

        var output = new MemoryStream();
        output.Write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8);
        // SETTINGS_HEADER_TABLE_SIZE = 0 (no dynamic table in answers), SETTINGS_ENABLE_PUSH = 0.
        WriteFrame(output, Settings, 0, 0, [0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0]);
        WriteFrame(output, Headers, (byte)(EndHeaders | (data is null ? EndStream : 0)), 1, EncodeFields(fields));
        if (data is not null)
        {
            WriteFrame(output, Data, EndStream, 1, Encoding.Latin1.GetBytes(data));
        }

        await tls.WriteAsync(output.ToArray(), timeout.Token);
        await tls.FlushAsync(timeout.Token);
        return await ReadStreamAsync(tls, timeout.Token);
    }

    /// <summary>Literal header fields without indexing, new name, raw strings (RFC 7541 §6.2.2, §5.2).</summary>
    public static byte[] EncodeFields(IReadOnlyList<(string Name, string Value)> fields)
    {
        var block = new MemoryStream();
        foreach (var (name, value) in fields)
        {
            block.WriteByte(0x00);
            WriteString(block, Encoding.Latin1.GetBytes(name));
            WriteString(block, Encoding.Latin1.GetBytes(value));
        }

        return block.ToArray();
    }

    /// <summary>Decodes a header block whose dynamic table is empty (size 0): static table, literals, Huffman strings.</summary>
    public static List<(string Name, string Value)> DecodeFields(ReadOnlySpan<byte> block)
    {
        var fields = new List<(string, string)>();
        var offset = 0;
        while (offset < block.Length)
        {
            var first = block[offset];
            if ((first & 0x80) != 0)
            {
                // Indexed field (§6.1).
                var index = ReadInteger(block, ref offset, 7);
                fields.Add(StaticEntry(index));
            }
            else if ((first & 0xE0) == 0x20)
            {
                // Dynamic table size update (§6.3): nothing to keep at size 0.
                _ = ReadInteger(block, ref offset, 5);
            }
            else
            {
                // Literal with incremental indexing (01), without indexing (0000) or never indexed (0001): with a
                // table of size 0 an added entry is evicted at once, so all three read alike.
                var prefix = (first & 0x40) != 0 ? 6 : 4;
                var index = ReadInteger(block, ref offset, prefix);
                var name = index == 0 ? ReadString(block, ref offset) : StaticEntry(index).Name;
                fields.Add((name, ReadString(block, ref offset)));
            }
        }

        return fields;
    }

    private static async Task<Http2Outcome> ReadStreamAsync(SslStream tls, CancellationToken cancellationToken)
    {
        int? status = null;
        var body = new MemoryStream();
        var block = new MemoryStream();
        var header = new byte[9];
        try
        {
            while (true)
            {
                await tls.ReadExactlyAsync(header, cancellationToken);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var (type, flags) = (header[3], header[4]);
                var stream = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF;
                var payload = new byte[length];
                await tls.ReadExactlyAsync(payload, cancellationToken);
                switch (type)
                {
                    case Settings when (flags & Ack) == 0:
                        await WriteFrameAsync(tls, Settings, Ack, 0, [], cancellationToken);
                        break;
                    case Ping when (flags & Ack) == 0:
                        await WriteFrameAsync(tls, Ping, Ack, 0, payload, cancellationToken);
                        break;
                    case GoAwayFrame:
                        var error = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4));
                        // A GOAWAY without error after our stream was answered is just the end of the connection.
                        return new Http2Outcome(status, Encoding.Latin1.GetString(body.ToArray()), null, error == 0 && status is not null ? null : error);
                    case RstStream when stream == 1:
                        return new Http2Outcome(status, Encoding.Latin1.GetString(body.ToArray()), BinaryPrimitives.ReadInt32BigEndian(payload), null);
                    case Headers or Continuation when stream == 1:
                        block.Write(Unpad(type, flags, payload));
                        if ((flags & EndHeaders) != 0)
                        {
                            var fields = DecodeFields(block.ToArray());
                            block.SetLength(0);
                            var value = fields.FirstOrDefault(field => field.Name == ":status").Value;
                            if (value is not null && value[0] != '1')
                            {
                                // Interim (1xx) answers are read past.
                                status = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                            }
                        }

                        break;
                    case Data when stream == 1:
                        body.Write(Unpad(type, flags, payload));
                        break;
                    default:
                        break;
                }

                if (stream == 1 && type is Headers or Data && (flags & EndStream) != 0)
                {
                    return new Http2Outcome(status, Encoding.Latin1.GetString(body.ToArray()), null, null);
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            // The connection ended without GOAWAY: report what came, as a connection-level refusal.
            return new Http2Outcome(status, Encoding.Latin1.GetString(body.ToArray()), null, status is null ? -1 : null);
        }
    }

    private static ReadOnlySpan<byte> Unpad(byte type, byte flags, byte[] payload)
    {
        var span = payload.AsSpan();
        if ((flags & Padded) != 0 && type != Continuation)
        {
            span = span[1..^span[0]];
        }

        return type == Headers && (flags & Priority) != 0 ? span[5..] : span;
    }

    private static void WriteFrame(Stream output, byte type, byte flags, int stream, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header[5..], stream);
        output.Write(header);
        output.Write(payload);
    }

    private static async Task WriteFrameAsync(Stream output, byte type, byte flags, int stream, byte[] payload, CancellationToken cancellationToken)
    {
        var frame = new MemoryStream();
        WriteFrame(frame, type, flags, stream, payload);
        await output.WriteAsync(frame.ToArray(), cancellationToken);
    }

    private static void WriteString(Stream output, byte[] value)
    {
        WriteInteger(output, 0x00, 7, value.Length);
        output.Write(value);
    }

    /// <summary>An HPACK integer with an N-bit prefix (RFC 7541 §5.1).</summary>
    private static void WriteInteger(Stream output, byte flags, int prefix, int value)
    {
        var max = (1 << prefix) - 1;
        if (value < max)
        {
            output.WriteByte((byte)(flags | value));
            return;
        }

        output.WriteByte((byte)(flags | max));
        value -= max;
        while (value >= 0x80)
        {
            output.WriteByte((byte)((value & 0x7F) | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }

    private static int ReadInteger(ReadOnlySpan<byte> block, ref int offset, int prefix)
    {
        var max = (1 << prefix) - 1;
        var value = block[offset++] & max;
        if (value < max)
        {
            return value;
        }

        for (var shift = 0; ; shift += 7)
        {
            var b = block[offset++];
            value += (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private static string ReadString(ReadOnlySpan<byte> block, ref int offset)
    {
        var huffman = (block[offset] & 0x80) != 0;
        var length = ReadInteger(block, ref offset, 7);
        var raw = block.Slice(offset, length);
        offset += length;
        return huffman ? Huffman.Decode(raw) : Encoding.Latin1.GetString(raw);
    }

    private static (string Name, string Value) StaticEntry(int index) =>
        index is >= 1 and <= 61 ? StaticTable[index - 1] : throw new InvalidDataException($"HPACK index {index} is not in the static table (the dynamic table is empty).");

    /// <summary>RFC 7541 Appendix A.</summary>
    private static readonly (string Name, string Value)[] StaticTable =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""), ("etag", ""),
        ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""), ("if-modified-since", ""),
        ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""), ("last-modified", ""), ("link", ""),
        ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""), ("proxy-authorization", ""), ("range", ""),
        ("referer", ""), ("refresh", ""), ("retry-after", ""), ("server", ""), ("set-cookie", ""),
        ("strict-transport-security", ""), ("transfer-encoding", ""), ("user-agent", ""), ("vary", ""), ("via", ""),
        ("www-authenticate", ""),
    ];

    /// <summary>
    /// The HPACK Huffman code (RFC 7541 Appendix B). It is canonical (codes of one length are consecutive,
    /// in symbol order, shorter codes first), so the code lengths alone define it: one letter per symbol
    /// 0..256, 'A' for 5 bits, 'B' for 6, and so on.
    /// </summary>
    internal static class Huffman
    {
        private const string Lengths =
            "ISXXXXXXXTZXXZXXXXXXXXZXXXXXXXXXBFFHIBDGFFDGDBBBAAABBBBBBBCDKBHF"
            + "IBCCCCCCCCCCCCCCCCCCCCCCDCDIOIJBKABABABBBACCBBBABCBAABCCCCCKGJIX"
            + "PRPPRRRSRSSSSSTSTTRSTSSSSQRSRSSTRQPRRSSQSRRTQRSSQQRQSRSSPRRRSRRS"
            + "VVPORSRUVVVWWVTUOQVWWVWTQQVVXWWWPTPQRQQSRRUUTTVSVWVVWWWWWXWWWWWV"
            + "Z";

        // (length, code) -> symbol, built once from the lengths.
        private static readonly Dictionary<(int, uint), int> Codes = Build();

        public static string Decode(ReadOnlySpan<byte> encoded)
        {
            var decoded = new StringBuilder();
            uint code = 0;
            var length = 0;
            foreach (var b in encoded)
            {
                for (var bit = 7; bit >= 0; bit--)
                {
                    code = (code << 1) | (uint)((b >> bit) & 1);
                    length++;
                    if (Codes.TryGetValue((length, code), out var symbol))
                    {
                        if (symbol == 256)
                        {
                            throw new InvalidDataException("EOS in a Huffman string.");
                        }

                        decoded.Append((char)symbol);
                        (code, length) = (0, 0);
                    }
                }
            }

            // What is left must be padding: fewer than 8 one bits (§5.2).
            if (length > 7 || code != (1u << length) - 1)
            {
                throw new InvalidDataException("Bad Huffman padding.");
            }

            return decoded.ToString();
        }

        private static Dictionary<(int, uint), int> Build()
        {
            var symbols = Enumerable.Range(0, 257).OrderBy(symbol => Lengths[symbol]).ThenBy(symbol => symbol);
            var codes = new Dictionary<(int, uint), int>();
            uint code = 0;
            var previous = 0;
            foreach (var symbol in symbols)
            {
                var length = Lengths[symbol] - 'A' + 5;
                if (previous != 0)
                {
                    code = (code + 1) << (length - previous);
                }

                codes[(length, code)] = symbol;
                previous = length;
            }

            return codes;
        }
    }
}
