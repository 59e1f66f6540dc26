using System.Text;
using Berth.Proxy.Lane;

namespace Berth.Proxy.Tests.Properties;

/// <summary>
/// What must hold for any bytes a client sends the plain lane (<see cref="LaneRequestHead"/>): the end of
/// the head is found as specified, and a head the lane takes is written to the origin well-formed, with
/// the client's Host first and the edge's forwarding headers only. Shared by the property tests, the
/// corpus replay and the fuzz target.
/// </summary>
internal static class LaneHeadInvariants
{
    public const string ClientAddress = "192.0.2.7";

    private static readonly byte[] ClientAddressBytes = Encoding.ASCII.GetBytes(ClientAddress);

    /// <summary>Never written from the client's head (framing, hop-by-hop, or what the edge writes itself).</summary>
    private static readonly string[] NeverForwarded =
    [
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade",
        "Expect", "Forwarded", "CF-Connecting-IP",
    ];

    /// <summary>
    /// After the edge audit (E5/E6): never forwarded, nor any name that reads as one of them with '_' as '-'.
    /// X-Forwarded-* are the edge's own (checked apart: exactly once, last).
    /// </summary>
    private static readonly string[] NeverForwardedAfterAudit =
    [
        .. NeverForwarded, "Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP", "True-Client-IP",
        "X-Client-IP", "X-Cluster-Client-IP",
    ];

    /// <summary>
    /// Runs <paramref name="input"/> through the lane as it reads a client's bytes; throws
    /// <see cref="InvariantViolationException"/> when an invariant fails. <paramref name="audit"/> adds the
    /// behaviour expected once the edge audit's fixes land (E5-E7, E13).
    /// </summary>
    public static void Check(ReadOnlySpan<byte> input, bool audit)
    {
        var end = LaneRequestHead.FindEnd(input, LaneRequestHead.MaxLength);
        var first = input.IndexOf("\r\n\r\n"u8);
        // Without a CRLFCRLF: incomplete (0), unless too long or a bare LF shows it never will be the lane's
        // (E7: handed to Kestrel at once, -1).
        var expected = first >= 0
            ? (first + 4 <= LaneRequestHead.MaxLength ? first + 4 : -1)
            : (input.Length >= LaneRequestHead.MaxLength || HasBareLineFeed(input) ? -1 : 0);
        if (end != expected)
        {
            throw Http11.Violation($"FindEnd returned {end}, not {expected}", input);
        }

        if (audit && end == 0 && HasBareLineFeed(input))
        {
            throw Http11.Violation("E7: a head with a bare LF leaves the lane waiting instead of going to Kestrel at once", input);
        }

        if (end <= 0)
        {
            return;
        }

        var head = input[..end];
        var buffer = new byte[LaneRequestHead.TranslatedSize(end + ClientAddressBytes.Length)];
        if (!LaneRequestHead.TryTranslate(head, LaneRequestHead.MaxHeaderLines, ClientAddressBytes, buffer, out var hostBytes, out var isHead, out var close, out var length))
        {
            return;
        }

        // A bare CR or LF anywhere is not the lane's: Kestrel answers it (RFC 9112 §2.2).
        if (HasBareLineFeed(head) || HasBareCarriageReturn(head))
        {
            throw Http11.Violation("the lane took a head with a bare CR or LF", head);
        }

        var output = buffer.AsSpan(0, length);
        var (startLine, fields) = Http11.ReadHead(output, obsText: false, "the origin's request head");
        var host = Encoding.Latin1.GetString(hostBytes);
        CheckRequestLine(startLine, head, isHead, audit);

        // Host exactly once and first, as the client sent it (its only Host line).
        var clientLines = Http11.RawLines(head);
        var clientHosts = clientLines.Where(l => Http11.NameOf(l).Equals("Host", StringComparison.OrdinalIgnoreCase)).ToList();
        if (clientHosts.Count != 1 || Http11.ValueOf(clientHosts[0]) != host)
        {
            throw Http11.Violation("the lane took a head without exactly one Host, or reported another Host", head);
        }

        if (fields.Count < 3 || fields[0].Name != "Host" || fields[0].Value != host
            || fields.Count(f => f.Name.Equals("Host", StringComparison.OrdinalIgnoreCase)) != 1)
        {
            throw Http11.Violation("the origin's head does not have the client's Host once, first", output);
        }

        // The edge's X-Forwarded-* exactly once each, last, with the edge's values.
        string[] forwarding = ["X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"];
        string[] values = [ClientAddress, "http", host];
        var tail = fields[^3..];
        for (var i = 0; i < 3; i++)
        {
            if (tail[i].Name != forwarding[i] || tail[i].Value != values[i]
                || fields.Count(f => f.Name.Equals(forwarding[i], StringComparison.OrdinalIgnoreCase)) != 1)
            {
                throw Http11.Violation($"the origin's head does not end with the edge's own {forwarding[i]} once", output);
            }
        }

        // The client's end-to-end lines, in order, as sent: none invented, none lost but those dropped on purpose.
        var forwarded = fields[1..^3];
        var next = 0;
        foreach (var line in clientLines)
        {
            var name = Http11.NameOf(line);
            if (next < forwarded.Count && line.AsSpan().SequenceEqual(forwarded[next].Line))
            {
                next++;
            }
            else if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase) && !IsDroppedByTheLane(name) && !Http11.IsOrTwin(name, NeverForwardedAfterAudit))
            {
                throw Http11.Violation($"the client's header line '{Encoding.Latin1.GetString(line)}' was lost", head);
            }
        }

        if (next != forwarded.Count)
        {
            throw Http11.Violation("the origin's head has a header line the client did not send", output);
        }

        foreach (var field in forwarded)
        {
            if (NeverForwarded.Contains(field.Name, StringComparer.OrdinalIgnoreCase) || IsDroppedByTheLane(field.Name))
            {
                throw Http11.Violation($"the client's {field.Name} reached the origin", output);
            }

            if (audit && Http11.IsOrTwin(field.Name, NeverForwardedAfterAudit))
            {
                throw Http11.Violation($"E5/E6: the client's {field.Name} reached the origin", output);
            }
        }

        var clientCloses = clientLines.Any(l => Http11.NameOf(l).Equals("Connection", StringComparison.OrdinalIgnoreCase)
            && Http11.ValueOf(l).Equals("close", StringComparison.OrdinalIgnoreCase));
        if (close != clientCloses)
        {
            throw Http11.Violation($"the lane reported close={close} for a head that {(clientCloses ? "asks" : "does not ask")} for it", head);
        }
    }

    private static void CheckRequestLine(byte[] startLine, ReadOnlySpan<byte> head, bool isHead, bool audit)
    {
        var firstSpace = Array.IndexOf(startLine, (byte)' ');
        var lastSpace = Array.LastIndexOf(startLine, (byte)' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace + 1 || !startLine.AsSpan(lastSpace).SequenceEqual(" HTTP/1.1"u8))
        {
            throw Http11.Violation("the origin's request line is not METHOD SP target SP HTTP/1.1", startLine);
        }

        var method = startLine.AsSpan(0, firstSpace);
        var target = startLine.AsSpan(firstSpace + 1, lastSpace - firstSpace - 1);
        if (!(method.SequenceEqual("GET"u8) || method.SequenceEqual("HEAD"u8)) || isHead != method.SequenceEqual("HEAD"u8))
        {
            throw Http11.Violation("the lane took a method other than GET or HEAD, or misreported HEAD", startLine);
        }

        if (target[0] != '/')
        {
            throw Http11.Violation("the lane took a target that is not origin-form", startLine);
        }

        foreach (var b in target)
        {
            if (b is < 0x21 or > 0x7E)
            {
                throw Http11.Violation($"the origin's request target has byte 0x{b:X2}", startLine);
            }
        }

        if (!head.StartsWith(startLine) || !head[startLine.Length..].StartsWith("\r\n"u8))
        {
            throw Http11.Violation("the origin's request line is not the client's", head);
        }

        if (audit)
        {
            var query = target.IndexOf((byte)'?');
            var path = Encoding.ASCII.GetString(query < 0 ? target : target[..query]);
            if (path.Contains('%', StringComparison.Ordinal) || HasDotSegment(path))
            {
                throw Http11.Violation("E13: the lane took a target with a dot segment or '%' in its path", startLine);
            }
        }
    }

    /// <summary>The client's headers the lane drops today without refusing the request.</summary>
    private static bool IsDroppedByTheLane(string name) =>
        name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Forwarded-For", StringComparison.OrdinalIgnoreCase) || name.Equals("X-Forwarded-Proto", StringComparison.OrdinalIgnoreCase)
        || name.Equals("X-Forwarded-Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Forwarded", StringComparison.OrdinalIgnoreCase)
        || name.Equals("CF-Connecting-IP", StringComparison.OrdinalIgnoreCase);

    public static bool HasDotSegment(string path) =>
        path.Split('/').Any(segment => segment is "." or "..");

    /// <summary>A CR not followed by LF.</summary>
    public static bool HasBareCarriageReturn(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == '\r' && (i + 1 == data.Length || data[i + 1] != '\n'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A LF not preceded by CR.</summary>
    public static bool HasBareLineFeed(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
            {
                return true;
            }
        }

        return false;
    }
}
