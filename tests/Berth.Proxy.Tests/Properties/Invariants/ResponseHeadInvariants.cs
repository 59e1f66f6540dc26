using System.Text;
using Berth.Proxy.Origins;
using Microsoft.AspNetCore.Http;

namespace Berth.Proxy.Tests.Properties;

/// <summary>
/// What must hold for any bytes an origin answers with (<see cref="OriginResponseHead"/>): the head is
/// refused with <see cref="OriginProtocolException"/> (a 502), or what reaches the client, as bytes on the
/// plain lane or as Kestrel response headers, is one unambiguous head. Shared by the property tests, the
/// corpus replay and the fuzz target.
/// </summary>
internal static class ResponseHeadInvariants
{
    private static readonly string[] HopByHop = ["Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade"];

    /// <summary>
    /// Runs <paramref name="input"/> through the response head parser as the forwarder and the lane do;
    /// throws <see cref="InvariantViolationException"/> when an invariant fails. <paramref name="audit"/>
    /// adds the behaviour expected once the edge audit's fixes land (E12).
    /// </summary>
    public static void Check(ReadOnlySpan<byte> input, bool audit)
    {
        var end = OriginResponseHead.FindEnd(input);
        if (end != ExpectedEnd(input))
        {
            throw Http11.Violation($"FindEnd returned {end}, not {ExpectedEnd(input)}", input);
        }

        if (end == 0)
        {
            return;
        }

        var head = input[..end];
        int status;
        try
        {
            status = OriginResponseHead.Status(head);
        }
        catch (OriginProtocolException)
        {
            return;
        }

        if (status < 100 || status > 999 || !head.StartsWith("HTTP/1."u8) || Encoding.ASCII.GetString(head[9..12]) != status.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw Http11.Violation($"Status returned {status}", head);
        }

        if (status < 200)
        {
            // Interim answers are read past by both callers; only final heads are translated.
            return;
        }

        var refused = 0;
        foreach (var (bodiless, clientCloses) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            refused += CheckTranslate(head, status, bodiless, clientCloses, audit) ? 0 : 1;
        }

        if (refused is not (0 or 4))
        {
            throw Http11.Violation("Translate refused the head for some requests only", head);
        }

        // The general path may take a head whose reason phrase the lane refuses: Kestrel writes its own reason.
        var applied = CheckApply(head, status, audit);
        if (applied != (refused == 0) && !(applied && ReasonHasControls(head)))
        {
            throw Http11.Violation("Apply and Translate disagree about refusing the head", head);
        }
    }

    private static bool ReasonHasControls(ReadOnlySpan<byte> head)
    {
        var line = head[..head.IndexOf((byte)'\n')];
        foreach (var b in (line.EndsWith("\r"u8) ? line[..^1] : line)[9..])
        {
            if (!Http11.IsFieldByte(b, obsText: true))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The end of the head as the forwarder reads it: through the first empty line (LF or CRLF), else 0.</summary>
    private static int ExpectedEnd(ReadOnlySpan<byte> input)
    {
        var offset = 0;
        while (true)
        {
            var newline = input[offset..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return 0;
            }

            var empty = newline == 0 || (newline == 1 && input[offset] == '\r');
            offset += newline + 1;
            if (empty)
            {
                return offset;
            }
        }
    }

    private static bool CheckTranslate(ReadOnlySpan<byte> head, int status, bool bodiless, bool clientCloses, bool audit)
    {
        var buffer = new byte[OriginResponseHead.TranslatedSize(head.Length)];
        ResponseFraming framing;
        int length;
        bool closeClient;
        try
        {
            framing = OriginResponseHead.Translate(head, status, bodiless, clientCloses, buffer, out length, out closeClient);
        }
        catch (OriginProtocolException)
        {
            return false;
        }

        var output = buffer.AsSpan(0, length);
        var (statusLine, fields) = Http11.ReadHead(output, obsText: true, "the client's response head");
        var expectedStart = Encoding.ASCII.GetBytes($"HTTP/1.1 {status:D3}");
        if (!statusLine.AsSpan().StartsWith(expectedStart) || (statusLine.Length > 12 && statusLine[12] != ' '))
        {
            throw Http11.Violation("the client's status line is not HTTP/1.1 SP status [SP reason]", statusLine);
        }

        foreach (var b in statusLine.AsSpan(12))
        {
            if (!Http11.IsFieldByte(b, obsText: true))
            {
                throw Http11.Violation($"the client's reason phrase has byte 0x{b:X2}", statusLine);
            }
        }

        var lengths = fields.Where(f => f.Name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).ToList();
        var encodings = fields.Where(f => f.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).ToList();
        if (lengths.Count > 1 || (lengths.Count == 1 && encodings.Count > 0))
        {
            throw Http11.Violation("the client's head has more than one framing", output);
        }

        if (lengths.Count == 1 && (!lengths[0].Value.All(char.IsAsciiDigit) || lengths[0].Value.Length == 0
            || long.Parse(lengths[0].Value, System.Globalization.CultureInfo.InvariantCulture) != framing.ContentLength))
        {
            throw Http11.Violation("the client's Content-Length is not the body's length", output);
        }

        if ((framing.ContentLength >= 0) != (lengths.Count == 1))
        {
            throw Http11.Violation("the client's head lacks the Content-Length the body is read by", output);
        }

        if (framing.Chunked && (encodings.Count == 0 || !encodings[^1].Value.Split(',')[^1].Trim(' ', '\t').Equals("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            throw Http11.Violation("the body is chunked but the client's head does not end its Transfer-Encoding with chunked", output);
        }

        var connections = fields.Where(f => f.Name.Equals("Connection", StringComparison.OrdinalIgnoreCase)).ToList();
        if (connections.Count > 1 || (connections.Count == 1 && connections[0].Line.AsSpan().SequenceEqual("Connection: close"u8) != true)
            || closeClient != (connections.Count == 1))
        {
            throw Http11.Violation("the client's head has a Connection header other than the edge's own close, or closeClient disagrees", output);
        }

        if ((clientCloses && !closeClient)
            || (framing.UntilClose && !bodiless && status is not (204 or 304) && !closeClient))
        {
            throw Http11.Violation("the client's connection is kept although the answer or the client ends it", output);
        }

        var originLines = Http11.RawLines(head);
        var next = 0;
        foreach (var field in fields)
        {
            if (HopByHop.Contains(field.Name, StringComparer.OrdinalIgnoreCase) && field.Name != "Connection")
            {
                throw Http11.Violation($"the client's head has the hop-by-hop {field.Name}", output);
            }

            // The edge's own lines (the origin's Content-Length and Connection lines are never passed as they are).
            if (field.Name is "Connection" or "Content-Length")
            {
                continue;
            }

            // Every other line is one of the origin's, in the origin's order.
            while (next < originLines.Count && !originLines[next].AsSpan().SequenceEqual(field.Line))
            {
                next++;
            }

            if (next++ == originLines.Count)
            {
                throw Http11.Violation("the client's head has a header line the origin did not send", output);
            }
        }

        if (audit)
        {
            foreach (var nominated in Nominated(originLines))
            {
                if (fields.Any(f => f.Name.Equals(nominated, StringComparison.OrdinalIgnoreCase)))
                {
                    throw Http11.Violation($"E12: {nominated}, nominated by the origin's Connection, reached the client", output);
                }
            }
        }

        return true;
    }

    /// <summary>Applies the head to a response as the general path does; false when refused.</summary>
    private static bool CheckApply(ReadOnlySpan<byte> head, int status, bool audit)
    {
        var context = new DefaultHttpContext();
        ResponseFraming framing;
        try
        {
            framing = OriginResponseHead.Apply(head, status, context.Response);
        }
        catch (OriginProtocolException)
        {
            return false;
        }

        var response = context.Response;
        if (response.StatusCode != status)
        {
            throw Http11.Violation("Apply set another status", head);
        }

        foreach (var (name, values) in response.Headers)
        {
            if (!Http11.IsToken(name) || HopByHop.Contains(name, StringComparer.OrdinalIgnoreCase)
                || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                throw Http11.Violation($"Apply set the header '{name}'", head);
            }

            foreach (var value in values)
            {
                if (value is null || value.Any(c => c > 0xFF || !Http11.IsFieldByte((byte)c, obsText: true)))
                {
                    throw Http11.Violation($"Apply set a value of {name} with a control character", head);
                }
            }
        }

        if (framing.ContentLength >= 0 && status != 204 ? response.ContentLength != framing.ContentLength : response.ContentLength is not null)
        {
            throw Http11.Violation("Apply's Content-Length is not the body's length", head);
        }

        if (audit)
        {
            foreach (var nominated in Nominated(Http11.RawLines(head)))
            {
                if (response.Headers.ContainsKey(nominated))
                {
                    throw Http11.Violation($"E12: {nominated}, nominated by the origin's Connection, was applied", head);
                }
            }
        }

        return true;
    }

    /// <summary>The names an origin's Connection headers nominate (besides close and keep-alive).</summary>
    private static IEnumerable<string> Nominated(List<byte[]> lines) =>
        lines.Where(l => Http11.NameOf(l).Equals("Connection", StringComparison.OrdinalIgnoreCase))
            .SelectMany(l => Http11.ValueOf(l).Split(','))
            .Select(t => t.Trim(' ', '\t'))
            .Where(t => t.Length > 0 && !t.Equals("close", StringComparison.OrdinalIgnoreCase) && !t.Equals("keep-alive", StringComparison.OrdinalIgnoreCase));
}
