using System.Text;
using Berth.Proxy.Lane;
using CsCheck;

namespace Berth.Proxy.Tests.Properties;

/// <summary>
/// Properties of the plain lane's request head parser (<see cref="LaneRequestHead"/>) over mutated real
/// heads and random bytes: see <see cref="LaneHeadInvariants"/>. The tests named after an audit item
/// check the behaviour expected once that fix lands.
/// </summary>
public sealed class LaneRequestHeadProperties
{
    [Fact]
    public void TryTranslate_MutatedRealHeads_RefusesOrWritesOneWellFormedOriginHead()
    {
        var taken = 0;
        EdgeGen.Mutated(EdgeGen.LaneSeeds, EdgeGen.RequestLines).Sample(
            head =>
            {
                LaneHeadInvariants.Check(head, audit: false);
                CountTaken(head, ref taken);
            },
            iter: 6000,
            print: Http11.Show);

        // Not vacuous: a good share of the mutated heads is the lane's.
        Assert.InRange(taken, 600, 6000);
    }

    [Fact]
    public void TryTranslate_RandomBytesAfterARequestLine_RefusesOrWritesOneWellFormedOriginHead() =>
        EdgeGen.RandomAfter("GET / HTTP/1.1\r\nHost: a.test\r\n", "HEAD /x HTTP/1.1\r\n", "GET /", "").Sample(
            head => LaneHeadInvariants.Check(head, audit: false),
            iter: 6000,
            print: Http11.Show);

    [Fact]
    public void FindEnd_AnyBytes_IsTheFirstEmptyLineWithinTheLimit() =>
        Gen.Select(EdgeGen.InterestingByte.Array[0, 200], Gen.Int[0, 9000]).Sample(
            (bytes, padding) =>
            {
                // Long inputs too: the limit is 8 KB.
                var input = EdgeGen.Concat(Enumerable.Repeat((byte)'a', padding).ToArray(), bytes);
                LaneHeadInvariants.Check(input, audit: false);
            },
            iter: 1000);

    /// <summary>E5/E6: no client forwarding header, nor a '_' twin of one or of a framing header, reaches the origin.</summary>
    [Fact]
    public void TryTranslate_ForwardingHeadersAndUnderscoreTwins_AreNeverWritten() =>
        Gen.Select(Gen.Int[0, 2], Gen.OneOf(EdgeGen.RequestLines)).Sample(
            (seed, line) =>
            {
                var head = Encoding.ASCII.GetString(EdgeGen.LaneSeeds[seed]);
                var lineEnd = head.IndexOf("\r\n", StringComparison.Ordinal) + 2;
                LaneHeadInvariants.Check(Encoding.Latin1.GetBytes(head.Insert(lineEnd, line + "\r\n")), audit: true);
            },
            iter: 300);

    /// <summary>E7: a head with a bare LF line end goes to Kestrel at once (the lane neither waits for more nor takes it).</summary>
    [Fact]
    public void FindEnd_HeadWithABareLineFeed_IsHandedToKestrelAtOnce() =>
        Gen.Select(Gen.Int[0, EdgeGen.LaneSeeds.Length - 1], Gen.Int[0, 20]).Sample(
            (seed, line) =>
            {
                var head = EdgeGen.Mutate(EdgeGen.LaneSeeds[seed], [(5, 0, line)], EdgeGen.RequestLines);
                LaneHeadInvariants.Check(head, audit: true);
            },
            iter: 200,
            print: t => Http11.Show(EdgeGen.Mutate(EdgeGen.LaneSeeds[t.Item1], [(5, 0, t.Item2)], EdgeGen.RequestLines)));

    /// <summary>E13: a dot segment or a '%' in the path leaves the request to Kestrel (the edge's own paths stay the edge's).</summary>
    [Fact]
    public void TryTranslate_DotSegmentOrPercentInThePath_IsLeftToKestrel() =>
        Gen.Select(Gen.OneOf("/./", "/../", "/.", "/..", "%2e", "%2F", "%"), Gen.OneOf("/", "/.well-known/acme-challenge/x", "/a/b"), Gen.Int[0, 30]).Sample(
            (piece, path, at) =>
            {
                var target = path.Insert(at % (path.Length + 1), piece);
                if (!target.StartsWith('/'))
                {
                    target = "/" + target;
                }

                LaneHeadInvariants.Check(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: a.test\r\n\r\n"), audit: true);
            },
            iter: 300);

    private static void CountTaken(byte[] head, ref int taken)
    {
        var end = LaneRequestHead.FindEnd(head, LaneRequestHead.MaxLength);
        var buffer = new byte[LaneRequestHead.TranslatedSize(Math.Max(end, 0) + 16)];
        if (end > 0 && LaneRequestHead.TryTranslate(head.AsSpan(0, end), LaneRequestHead.MaxHeaderLines, "192.0.2.7"u8, buffer, out _, out _, out _, out _))
        {
            Interlocked.Increment(ref taken);
        }
    }
}
