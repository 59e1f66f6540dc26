using System.Text;
using CsCheck;

namespace Berth.Proxy.Tests.Properties;

/// <summary>
/// Generators of the bytes clients and origins send the edge: real heads and bodies (those of the unit
/// tests, and what browsers and servers send) with a few mutations each, and random bytes over the
/// alphabet that matters to HTTP framing. They shrink to the smallest failing mutation list.
/// </summary>
internal static class EdgeGen
{
    public static readonly byte[][] LaneSeeds = Latin1(
        "GET /p?q=1 HTTP/1.1\r\nUser-Agent: t\r\nHost: a.test:8080\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\nX-Forwarded-For: 203.0.113.9\r\nAccept: */*\r\n\r\n",
        "HEAD / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n",
        "GET / HTTP/1.1\r\nhost: A.TEST.\r\n\r\n",
        "GET /index.html HTTP/1.1\r\nHost: shop.example.org\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\nCookie: a=1; b=2\r\nCache-Control: max-age=0\r\n\r\n",
        "GET /a/b/c?x=%20&y=. HTTP/1.1\r\nHost: b.test\r\nX-Real-IP: 1.2.3.4\r\nForwarded: for=1.2.3.4\r\nCF-Connecting-IP: 5.6.7.8\r\n\r\n",
        "GET /.well-known/acme-challenge/token HTTP/1.1\r\nHost: a.test\r\nX_Forwarded_For: 10.0.0.1\r\nX-Empty:\r\n\r\n");

    public static readonly byte[][] ResponseSeeds = Latin1(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: x\r\n\r\n",
        "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n",
        "HTTP/1.1 204 No Content\r\nDate: Fri, 04 Dec 2026 10:00:00 GMT\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nETag: \"abc\"\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
        "HTTP/1.1 301 Moved Permanently\nLocation: /new\nContent-Length: 0\n\n",
        "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: close, X-Secret\r\nX-Secret: 1\r\nUpgrade: h2c\r\nTrailer: X\r\n\r\n",
        "HTTP/1.1 404 Not\u00e9 Found\r\nContent-Length: 3\r\ncontent-length: 003\r\nX-Obs: caf\u00e9\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\n");

    public static readonly byte[][] ChunkedSeeds = Latin1(
        "5\r\nhello\r\n0\r\n\r\n",
        "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
        "a\nabcdefghij\n0\n\n",
        "000A\r\n0123456789\r\n0;x=\"q\\\"\"\r\n\r\n",
        "1 ;a = b\r\nx\r\n0\r\n\r\n",
        "0\r\n\r\n");

    /// <summary>Lines a client may add: framing, hop-by-hop, forwarding headers and their '_' twins, a second Host.</summary>
    public static readonly string[] RequestLines =
    [
        "X-Real-IP: 1.2.3.4", "X_Forwarded_For: 6.6.6.6", "X-Forwarded-Host: evil.test", "Content_Length: 5", "Transfer_Encoding: chunked",
        "Content-Length: 0", "Transfer-Encoding: chunked", "Connection: close", "Connection: X-Secret", "Host: b.test", "host: a.test",
        "True-Client-IP: 1.1.1.1", "X-Client-IP: 1.1.1.1", "X-Cluster-Client-IP: 1.1.1.1", "CF-Connecting-IP: 1.1.1.1", "Forwarded: for=1.1.1.1",
        "Keep-Alive: 5", "Upgrade: h2c", "Expect: 100-continue", "X-Empty:", "X:  spaced  ", "TE: trailers", "X-Secret: 1", "Proxy-Connection: close",
        "X-Forwarded-Proto: https", "x-real-ip: 2.2.2.2", "Cf_Connecting_Ip: 3.3.3.3",
    ];

    public static readonly string[] ResponseLines =
    [
        "Content-Length: 5", "Content-Length: 6", "content-length: 05", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked",
        "Transfer-Encoding: gzip", "Connection: close", "Connection: keep-alive", "Connection: X-Secret", "X-Secret: 1", "Keep-Alive: timeout=5",
        "Upgrade: websocket", "Trailer: X-T", "TE: trailers", "Proxy-Connection: close", "Set-Cookie: a=1", " folded", "X-Empty:",
        "Content-Length: 99999999999999999999", "Content-Length: -1", "Content-Length: 5, 5",
    ];

    public static readonly string[] StartTokens =
    [
        "GET", "HEAD", "POST", "G ET", "get", "GET\0", "OPTIONS", "HEAD\t", "/", "*", "/a b", "/%2e%2e/", "/./x", "/../x", "/a/..", "/a/.",
        "/.well-known/acme-challenge/x", "http://a.test/", "/\u007f", "/caf\u00e9", "HTTP/1.1", "HTTP/1.0", "HTTP/2", "200", "099", "1000", "20x",
    ];

    /// <summary>The bytes that separate or end things in HTTP/1.1, and those the edge must never pass.</summary>
    private static readonly byte[] Special =
        [(byte)'\r', (byte)'\n', 0, (byte)' ', (byte)'\t', (byte)':', 0x7F, 0x80, 0xFF, (byte)'_', (byte)'%', (byte)'.', (byte)'/', (byte)',', (byte)';', (byte)'"', (byte)'=', (byte)'0', (byte)'a', (byte)'F', 0x0B, 0x0C];

    /// <summary>A byte of the alphabet that matters (half of the time) or any byte.</summary>
    public static readonly Gen<byte> InterestingByte = Gen.Frequency((1, Gen.OneOf(Special)), (1, Gen.Byte));

    public static Gen<byte[]> Mutated(byte[][] seeds, string[] lines) =>
        Gen.Select(
            Gen.Int[0, seeds.Length - 1],
            Gen.Select(Gen.Int[0, 11], Gen.Int[0, 1 << 16], Gen.Int[0, 255]).Array[0, 5],
            (seed, operations) => Mutate(seeds[seed], operations, lines));

    /// <summary>Random bytes after a plausible start: the parsers' later stages see them too.</summary>
    public static Gen<byte[]> RandomAfter(params string[] prefixes) =>
        Gen.Select(
            Gen.OneOf(prefixes),
            InterestingByte.Array[0, 300],
            Gen.Bool,
            (prefix, tail, end) => Concat(Encoding.Latin1.GetBytes(prefix), tail, end ? "\r\n\r\n"u8.ToArray() : []));

    public static byte[] Mutate(byte[] seed, (int Operation, int Position, int Argument)[] operations, string[] lines)
    {
        var bytes = new List<byte>(seed);
        foreach (var (operation, position, argument) in operations)
        {
            var at = bytes.Count == 0 ? 0 : position % (bytes.Count + 1);
            var lineEnds = LineEnds(bytes);
            switch (operation)
            {
                case 0:
                    bytes.Insert(at, Special[argument % Special.Length]);
                    break;
                case 1 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                case 2 when at < bytes.Count:
                    bytes[at] = Special[argument % Special.Length];
                    break;
                case 3 when lineEnds.Count > 1:
                    {
                        // Duplicates a line (a second Host, a second Content-Length...).
                        var line = argument % (lineEnds.Count - 1);
                        var start = lineEnds[line] + 1;
                        bytes.InsertRange(start, bytes.GetRange(start, lineEnds[line + 1] - lineEnds[line]));
                        break;
                    }

                case 4 when lineEnds.Count > 0:
                    // Folds: whitespace at the start of a line.
                    bytes.Insert(lineEnds[argument % lineEnds.Count] + 1, argument % 2 == 0 ? (byte)' ' : (byte)'\t');
                    break;
                case 5 when lineEnds.Count > 0:
                    {
                        // A bare LF: one line end, or all of them (argument 0).
                        foreach (var end in argument == 0 ? lineEnds.AsEnumerable().Reverse() : [lineEnds[argument % lineEnds.Count]])
                        {
                            if (end > 0 && bytes[end - 1] == '\r')
                            {
                                bytes.RemoveAt(end - 1);
                            }
                        }

                        break;
                    }

                case 6 or 7 when lineEnds.Count > 0:
                    // A header line from the pool, after the start line or elsewhere.
                    bytes.InsertRange(
                        lineEnds[operation == 6 ? 0 : argument % lineEnds.Count] + 1,
                        Encoding.Latin1.GetBytes(lines[(argument + position) % lines.Length] + "\r\n"));
                    break;
                case 8:
                    {
                        // Replaces the start line's first or second word (method, target, version, status).
                        var space = bytes.IndexOf((byte)' ');
                        var word = StartTokens[argument % StartTokens.Length];
                        if (space > 0 && position % 2 == 0)
                        {
                            bytes.RemoveRange(0, space);
                            bytes.InsertRange(0, Encoding.Latin1.GetBytes(word));
                        }
                        else if (space > 0)
                        {
                            var next = bytes.IndexOf((byte)' ', space + 1);
                            if (next > space)
                            {
                                bytes.RemoveRange(space + 1, next - space - 1);
                                bytes.InsertRange(space + 1, Encoding.Latin1.GetBytes(word));
                            }
                        }

                        break;
                    }

                case 9 when at < bytes.Count:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 10:
                    bytes.Insert(at, (byte)argument);
                    break;
                case 11 when lineEnds.Count > 0:
                    {
                        // Grows a line: a long value, or many of one byte.
                        var end = lineEnds[argument % lineEnds.Count];
                        bytes.InsertRange(end > 0 && bytes[end - 1] == '\r' ? end - 1 : end, Enumerable.Repeat(Special[position % Special.Length], argument * 16));
                        break;
                    }
            }
        }

        return [.. bytes];
    }

    public static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static List<int> LineEnds(List<byte> bytes)
    {
        var ends = new List<int>();
        for (var i = 0; i < bytes.Count; i++)
        {
            if (bytes[i] == '\n')
            {
                ends.Add(i);
            }
        }

        return ends;
    }

    private static byte[][] Latin1(params string[] texts) => [.. texts.Select(Encoding.Latin1.GetBytes)];
}
