using System.Text;
using Berth.Proxy.Origins;
using CsCheck;

namespace Berth.Proxy.Tests.Properties;

/// <summary>
/// Properties of the origin response head parser (<see cref="OriginResponseHead"/>) over mutated real heads
/// and random bytes: see <see cref="ResponseHeadInvariants"/>.
/// </summary>
public sealed class ResponseHeadProperties
{
    [Fact]
    public void Translate_MutatedRealHeads_RefusesOrWritesOneUnambiguousHead()
    {
        var passed = 0;
        EdgeGen.Mutated(EdgeGen.ResponseSeeds, EdgeGen.ResponseLines).Sample(
            head =>
            {
                ResponseHeadInvariants.Check(head, audit: false);
                CountPassed(head, ref passed);
            },
            iter: 5000,
            print: Http11.Show);

        Assert.InRange(passed, 500, 5000);
    }

    [Fact]
    public void Translate_RandomBytesAfterAStatusLine_RefusesOrWritesOneUnambiguousHead() =>
        EdgeGen.RandomAfter("HTTP/1.1 200 OK\r\n", "HTTP/1.0 304 \r\nX: ", "HTTP/1.1 ", "").Sample(
            head => ResponseHeadInvariants.Check(head, audit: false),
            iter: 5000,
            print: Http11.Show);

    /// <summary>E12: the headers an origin's Connection header nominates are not passed to the client.</summary>
    [Fact]
    public void Translate_ConnectionNominatedHeaders_AreNotPassedOn() =>
        Gen.Select(Gen.OneOf("X-Secret", "x-secret", "Set-Cookie", "X-A, X-Secret"), Gen.Int[0, 3]).Sample(
            (nominated, seed) =>
            {
                var head = Encoding.ASCII.GetString(EdgeGen.ResponseSeeds[seed]);
                var lineEnd = head.IndexOf('\n', StringComparison.Ordinal) + 1;
                head = head.Insert(lineEnd, $"Connection: {nominated}\r\nX-Secret: 1\r\nSet-Cookie: s=1\r\n");
                ResponseHeadInvariants.Check(Encoding.ASCII.GetBytes(head), audit: true);
            },
            iter: 50);

    private static void CountPassed(byte[] head, ref int passed)
    {
        var end = OriginResponseHead.FindEnd(head);
        if (end == 0)
        {
            return;
        }

        try
        {
            var status = OriginResponseHead.Status(head.AsSpan(0, end));
            var buffer = new byte[OriginResponseHead.TranslatedSize(end)];
            OriginResponseHead.Translate(head.AsSpan(0, end), status, false, false, buffer, out _, out _);
            Interlocked.Increment(ref passed);
        }
        catch (OriginProtocolException)
        {
        }
    }
}
