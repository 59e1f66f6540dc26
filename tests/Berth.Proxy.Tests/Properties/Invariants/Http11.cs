using System.Text;

namespace Berth.Proxy.Tests.Properties;

/// <summary>
/// An invariant of an edge parser does not hold for an input. The property tests report it; the fuzz
/// target lets it escape so that the fuzzer records the input as a crash.
/// </summary>
internal sealed class InvariantViolationException(string message) : Exception(message);

/// <summary>One header line of a head the edge wrote: the name, the value without its surrounding whitespace, the whole line.</summary>
internal readonly record struct HeadField(string Name, string Value, byte[] Line);

/// <summary>
/// A strict reader of the HTTP/1.1 heads the edge writes onward (RFC 9110/9112), independent of the
/// edge's own parsers: what it accepts is what a strict peer parses unambiguously.
/// </summary>
internal static class Http11
{
    /// <summary>A tchar (RFC 9110 §5.6.2).</summary>
    public static bool IsTchar(byte b) => char.IsAsciiLetterOrDigit((char)b) || "!#$%&'*+-.^_`|~"u8.Contains(b);

    public static bool IsToken(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return false;
        }

        foreach (var b in bytes)
        {
            if (!IsTchar(b))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsToken(string text) => text.All(c => c < 0x80 && IsTchar((byte)c));

    /// <summary>A field value's byte: HTAB, SP, VCHAR, and obs-text when <paramref name="obsText"/>.</summary>
    public static bool IsFieldByte(byte b, bool obsText) => b == '\t' || (b >= 0x20 && b < 0x7F) || (obsText && b >= 0x80);

    /// <summary>
    /// Reads <paramref name="head"/> as exactly one head: CRLF line ends only, no bare CR or LF anywhere,
    /// the first empty line at its very end, no folded line, token names, values of field bytes only.
    /// Returns the start line and the fields; throws <see cref="InvariantViolationException"/> otherwise.
    /// </summary>
    public static (byte[] StartLine, List<HeadField> Fields) ReadHead(ReadOnlySpan<byte> head, bool obsText, string what)
    {
        if (!head.EndsWith("\r\n\r\n"u8) || head.IndexOf("\r\n\r\n"u8) != head.Length - 4)
        {
            throw Violation($"{what}: not exactly one head ending in CRLF CRLF", head);
        }

        for (var i = 0; i < head.Length; i++)
        {
            if ((head[i] == '\r' && (i + 1 == head.Length || head[i + 1] != '\n')) || (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')))
            {
                throw Violation($"{what}: a bare CR or LF at {i}", head);
            }
        }

        var body = head[..^4];
        var lineEnd = body.IndexOf("\r\n"u8);
        var startLine = (lineEnd < 0 ? body : body[..lineEnd]).ToArray();
        var fields = new List<HeadField>();
        var rest = lineEnd < 0 ? [] : body[(lineEnd + 2)..];
        while (lineEnd >= 0)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            var line = lineEnd < 0 ? rest : rest[..lineEnd];
            rest = lineEnd < 0 ? [] : rest[(lineEnd + 2)..];
            if (line.IsEmpty || line[0] is (byte)' ' or (byte)'\t')
            {
                throw Violation($"{what}: an empty or folded header line", head);
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                throw Violation($"{what}: a header name that is not a token", head);
            }

            foreach (var b in line[(colon + 1)..])
            {
                if (!IsFieldByte(b, obsText))
                {
                    throw Violation($"{what}: a header value with byte 0x{b:X2}", head);
                }
            }

            fields.Add(new HeadField(
                Encoding.Latin1.GetString(line[..colon]), Encoding.Latin1.GetString(line[(colon + 1)..].Trim(" \t"u8)), line.ToArray()));
        }

        return (startLine, fields);
    }

    /// <summary>The header lines of a client's or origin's head as the edge reads them (line ends CRLF or LF), without the start line.</summary>
    public static List<byte[]> RawLines(ReadOnlySpan<byte> head)
    {
        var lines = new List<byte[]>();
        var first = true;
        while (!head.IsEmpty)
        {
            var newline = head.IndexOf((byte)'\n');
            var line = newline < 0 ? head : head[..newline];
            head = newline < 0 ? [] : head[(newline + 1)..];
            if (line.EndsWith("\r"u8))
            {
                line = line[..^1];
            }

            if (line.IsEmpty && !first)
            {
                break;
            }

            if (!first)
            {
                lines.Add(line.ToArray());
            }

            first = false;
        }

        return lines;
    }

    /// <summary>The name of a header line (before its first colon), or the whole line.</summary>
    public static string NameOf(byte[] line)
    {
        var colon = Array.IndexOf(line, (byte)':');
        return Encoding.Latin1.GetString(line, 0, colon < 0 ? line.Length : colon);
    }

    /// <summary>The value of a header line, without surrounding whitespace.</summary>
    public static string ValueOf(byte[] line)
    {
        var colon = Array.IndexOf(line, (byte)':');
        return colon < 0 ? string.Empty : Encoding.Latin1.GetString(line.AsSpan(colon + 1).Trim(" \t"u8));
    }

    /// <summary>Whether <paramref name="name"/>, with '_' read as '-', equals one of <paramref name="names"/> (ignoring case).</summary>
    public static bool IsOrTwin(string name, IEnumerable<string> names) =>
        names.Contains(name.Replace('_', '-'), StringComparer.OrdinalIgnoreCase);

    public static InvariantViolationException Violation(string message, ReadOnlySpan<byte> data) =>
        new($"{message}\n  bytes: {Show(data)}");

    public static string Show(byte[] data) => Show(data.AsSpan());

    /// <summary>Bytes as C# string text: printable ASCII as is, everything else escaped.</summary>
    public static string Show(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder("\"");
        foreach (var b in data[..Math.Min(data.Length, 2048)])
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                (byte)'\t' => "\\t",
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\u{b:X4}",
            });
        }

        return text.Append(data.Length > 2048 ? "\"..." : "\"").ToString();
    }
}
