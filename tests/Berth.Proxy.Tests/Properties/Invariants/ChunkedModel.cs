namespace Berth.Proxy.Tests.Properties;

/// <summary>What a model decoder read from a chunked body: its data, its chunks' sizes, its trailer section, how far it read.</summary>
internal sealed record ChunkedReading(bool Valid, byte[] Data, List<long> Sizes, int TrailerLines, int TrailerBytes, int LongestLine, int Consumed, string Error);

/// <summary>
/// Two model decoders of a chunked body (RFC 9112 §7.1), written apart from the edge's:
/// <list type="bullet">
/// <item><b>strict</b>: exactly the grammar (CRLF, chunk extensions of tokens and quoted strings,
/// trailer fields), within the edge's limits (15 hex digits, lines of 4 KB, trailers of 64 lines and 16 KB):
/// every such body must be accepted and read the same;</item>
/// <item><b>tolerant</b>: what the edge documents it tolerates besides (a bare LF as line end, whitespace
/// and CR before the end of a size, anything in an extension or a trailer line, which are not passed
/// on): a body it refuses must be refused.</item>
/// </list>
/// </summary>
internal static class ChunkedModel
{
    public const int MaxLine = 4 * 1024;
    public const int MaxTrailerLines = 64;
    public const int MaxTrailerBytes = 16 * 1024;

    public static ChunkedReading Read(ReadOnlySpan<byte> input, bool strict)
    {
        var data = new List<byte>();
        var sizes = new List<long>();
        var offset = 0;
        var longest = 0;
        var trailerLines = 0;
        var trailerBytes = 0;
        while (true)
        {
            if (!NextLine(input, ref offset, strict, ref longest, out var line))
            {
                return Fail("no complete chunk-size line");
            }

            if (!TryParseSize(line, strict, out var size))
            {
                return Fail("invalid chunk-size line");
            }

            if (size == 0)
            {
                break;
            }

            sizes.Add(size);
            if (input.Length - offset < size)
            {
                return Fail("the body ends inside a chunk");
            }

            data.AddRange(input.Slice(offset, (int)size));
            offset += (int)size;
            if (!NextLine(input, ref offset, strict, ref longest, out var after) || !after.IsEmpty)
            {
                return Fail("no line end right after the chunk's data");
            }
        }

        while (true)
        {
            if (!NextLine(input, ref offset, strict, ref longest, out var line))
            {
                return Fail("the body ends inside the trailer section");
            }

            if (line.IsEmpty)
            {
                break;
            }

            trailerLines++;
            trailerBytes += line.Length + 2;
            if (strict && (!IsTrailerField(line) || trailerLines > MaxTrailerLines || trailerBytes > MaxTrailerBytes))
            {
                return Fail("invalid or too large trailer section");
            }
        }

        return new ChunkedReading(true, [.. data], sizes, trailerLines, trailerBytes, longest, offset, string.Empty);

        ChunkedReading Fail(string error) => new(false, [], sizes, trailerLines, trailerBytes, longest, offset, error);
    }

    /// <summary>
    /// The next line without its end. Strict: CRLF only, no other CR, at most <see cref="MaxLine"/> bytes.
    /// Tolerant: up to LF, one CR before it dropped.
    /// </summary>
    private static bool NextLine(ReadOnlySpan<byte> input, ref int offset, bool strict, ref int longest, out ReadOnlySpan<byte> line)
    {
        var newline = input[offset..].IndexOf((byte)'\n');
        line = default;
        if (newline < 0)
        {
            return false;
        }

        var raw = input.Slice(offset, newline);
        longest = Math.Max(longest, raw.Length);
        offset += newline + 1;
        if (strict)
        {
            if (raw.IsEmpty || raw[^1] != '\r' || raw[..^1].Contains((byte)'\r') || raw.Length > MaxLine)
            {
                return false;
            }

            line = raw[..^1];
            return true;
        }

        line = raw.EndsWith("\r"u8) ? raw[..^1] : raw;
        return true;
    }

    private static bool TryParseSize(ReadOnlySpan<byte> line, bool strict, out long size)
    {
        size = 0;
        var digits = 0;
        while (digits < line.Length && char.IsAsciiHexDigit((char)line[digits]))
        {
            digits++;
        }

        if (digits is 0 or > 15)
        {
            return false;
        }

        size = Convert.ToInt64(System.Text.Encoding.ASCII.GetString(line[..digits]), 16);
        var rest = line[digits..];
        if (!strict)
        {
            // Whitespace (a CR read as one) up to the extensions or the end; the extensions are dropped unread.
            var semicolon = rest.IndexOf((byte)';');
            return (semicolon < 0 ? rest : rest[..semicolon]).TrimStart(" \t\r"u8).IsEmpty;
        }

        return IsExtensions(rest);
    }

    /// <summary>chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string.</summary>
    private static bool IsExtensions(ReadOnlySpan<byte> rest)
    {
        var i = 0;
        while (true)
        {
            SkipWhitespace(rest, ref i);
            if (i == rest.Length)
            {
                return true;
            }

            if (rest[i++] != ';')
            {
                return false;
            }

            SkipWhitespace(rest, ref i);
            if (TokenLength(rest[i..]) == 0)
            {
                return false;
            }

            i += TokenLength(rest[i..]);
            var before = i;
            SkipWhitespace(rest, ref i);
            if (i < rest.Length && rest[i] == '=')
            {
                i++;
                SkipWhitespace(rest, ref i);
                if (!SkipValue(rest, ref i))
                {
                    return false;
                }
            }
            else
            {
                i = before;
            }
        }
    }

    private static bool SkipValue(ReadOnlySpan<byte> rest, ref int i)
    {
        if (i < rest.Length && rest[i] == '"')
        {
            for (i++; i < rest.Length; i++)
            {
                var b = rest[i];
                if (b == '"')
                {
                    i++;
                    return true;
                }

                if (b == '\\')
                {
                    if (++i == rest.Length || !Http11.IsFieldByte(rest[i], obsText: true))
                    {
                        return false;
                    }
                }
                else if (!Http11.IsFieldByte(b, obsText: true))
                {
                    return false;
                }
            }

            return false;
        }

        var length = TokenLength(rest[i..]);
        i += length;
        return length > 0;
    }

    private static void SkipWhitespace(ReadOnlySpan<byte> rest, ref int i)
    {
        while (i < rest.Length && rest[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }
    }

    private static int TokenLength(ReadOnlySpan<byte> bytes)
    {
        var n = 0;
        while (n < bytes.Length && Http11.IsTchar(bytes[n]))
        {
            n++;
        }

        return n;
    }

    private static bool IsTrailerField(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || !Http11.IsToken(line[..colon]))
        {
            return false;
        }

        foreach (var b in line[(colon + 1)..])
        {
            if (!Http11.IsFieldByte(b, obsText: true))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes <paramref name="chunks"/> as a well-formed chunked body (sizes in hex, CRLF, last chunk, no trailers).</summary>
    public static byte[] Frame(IEnumerable<byte[]> chunks)
    {
        var output = new List<byte>();
        foreach (var chunk in chunks.Where(c => c.Length > 0))
        {
            output.AddRange(System.Text.Encoding.ASCII.GetBytes($"{chunk.Length:X}\r\n"));
            output.AddRange(chunk);
            output.AddRange("\r\n"u8.ToArray());
        }

        output.AddRange("0\r\n\r\n"u8.ToArray());
        return [.. output];
    }
}
