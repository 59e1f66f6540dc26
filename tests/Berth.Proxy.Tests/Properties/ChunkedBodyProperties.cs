using System.IO.Pipelines;
using System.Text;
using Berth.Proxy.Origins;
using CsCheck;

namespace Berth.Proxy.Tests.Properties;

/// <summary>
/// Properties of chunked bodies in both directions, over real loopback connections: an origin's chunked
/// response (<see cref="OriginBody.CopyChunkedAsync"/>, see <see cref="ChunkedInvariants"/>) and the
/// chunked request body the edge writes to an origin (<see cref="OriginForwarder.SendBodyAsync"/>).
/// </summary>
public sealed class ChunkedBodyProperties : IDisposable
{
    private readonly OriginLoopback _origin = new();

    /// <summary>Well-formed bodies: chunks of any sizes, extensions, trailers, hex digits of either case.</summary>
    private static readonly Gen<byte[]> WellFormed =
        Gen.Select(
            Gen.Byte.Array[1, 300].Array[0, 6],
            Gen.OneOf(string.Empty, ";a", " ; a=b", ";q=\"x y\\\"\"", "\t;a;b=c"),
            Gen.OneOf(string.Empty, "X-T: 1\r\n", "A: 1\r\nB:\r\n"),
            Gen.Bool,
            (chunks, extension, trailers, lower) =>
            {
                var body = new StringBuilder();
                foreach (var chunk in chunks)
                {
                    var size = chunk.Length.ToString(lower ? "x" : "X", System.Globalization.CultureInfo.InvariantCulture);
                    body.Append(size).Append(extension).Append("\r\n").Append(Encoding.Latin1.GetString(chunk)).Append("\r\n");
                }

                return Encoding.Latin1.GetBytes(body.Append('0').Append(extension).Append("\r\n").Append(trailers).Append("\r\n").ToString());
            });

    [Fact]
    public async Task CopyChunked_WellFormedBodies_ReadAndReframedToTheSameChunks() =>
        await WellFormed.SampleAsync(
            async body =>
            {
                Assert.True(ChunkedModel.Read(body, strict: true).Valid);
                await ChunkedInvariants.CheckAsync(_origin, body, audit: false);
            },
            iter: 150,
            threads: 1,
            print: Http11.Show);

    [Fact]
    public async Task CopyChunked_MutatedBodies_RefusedOrReadAsTheModelReadsThem()
    {
        var refused = 0;
        await EdgeGen.Mutated(EdgeGen.ChunkedSeeds, ["X-T: 1", "0", "5", "ffffffffffffffff", ";x"]).SampleAsync(
            async body =>
            {
                await ChunkedInvariants.CheckAsync(_origin, body, audit: false);
                refused += ChunkedModel.Read(body, strict: false).Valid ? 0 : 1;
            },
            iter: 400,
            threads: 1,
            print: Http11.Show);

        // Not vacuous: mutations both keep and break bodies.
        Assert.InRange(refused, 40, 360);
    }

    /// <summary>Junk where a size, a line end or the data belongs is refused (a 502, or the connection cut).</summary>
    [Fact]
    public async Task CopyChunked_Junk_IsRefused() =>
        await Gen.Select(Gen.OneOf(
                "g\r\n",
                " 5\r\nhello\r\n0\r\n\r\n",
                "-5\r\nhello\r\n0\r\n\r\n",
                "0x5\r\nhello\r\n0\r\n\r\n",
                "1000000000000000\r\n",
                "5\r\nhello world\r\n0\r\n\r\n",
                "5\r\nhelloX\r\n0\r\n\r\n",
                "5\r\nhel",
                "5\r\nhello\r\n",
                "5\r\nhello\r\n0\r\n",
                ";a\r\nx\r\n0\r\n\r\n",
                "5 5\r\nhello\r\n0\r\n\r\n"),
                Gen.Int[0, 3])
            .SampleAsync(
                async (junk, repeat) =>
                {
                    var body = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("3\r\nabc\r\n", repeat)) + junk);
                    var run = await _origin.CopyChunkedAsync(body, passFraming: true);
                    Assert.IsType<OriginProtocolException>(run.Error);
                    Assert.False(ChunkedModel.Read(body, strict: false).Valid);
                },
                iter: 100,
                threads: 1);

    [Fact]
    public async Task CopyChunked_OverlongLine_IsRefused()
    {
        var body = Encoding.ASCII.GetBytes("5;" + new string('x', 10_000) + "\r\nhello\r\n0\r\n\r\n");

        var run = await _origin.CopyChunkedAsync(body, passFraming: false);

        Assert.IsType<OriginProtocolException>(run.Error);
    }

    /// <summary>E14: a trailer section over 64 lines or 16 KB is refused.</summary>
    [Fact]
    public async Task CopyChunked_OversizedTrailerSection_IsRefused() =>
        await Gen.OneOf((65, 10), (2, 9000), (200, 100)).SampleAsync(
            async shape =>
            {
                var trailers = string.Concat(Enumerable.Range(0, shape.Item1).Select(i => $"X-T{i}: {new string('v', shape.Item2)}\r\n"));
                await ChunkedInvariants.CheckAsync(_origin, Encoding.ASCII.GetBytes("3\r\nabc\r\n0\r\n" + trailers + "\r\n"), audit: true);
            },
            iter: 6,
            threads: 1);

    /// <summary>The request body: chunked, the origin gets one well-formed body of the same data; plain, the same bytes.</summary>
    [Fact]
    public async Task SendBody_AnySegments_OriginGetsTheSameDataWellFramed() =>
        await Gen.Select(Gen.Byte.Array[0, 2000].Array[0, 6], Gen.Bool).SampleAsync(
            async (segments, chunked) =>
            {
                var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
                foreach (var segment in segments)
                {
                    await pipe.Writer.WriteAsync(segment);
                }

                await pipe.Writer.CompleteAsync();

                var run = await _origin.SendBodyAsync(pipe.Reader, chunked);

                Assert.Null(run.Error);
                var data = segments.SelectMany(s => s).ToArray();
                if (!chunked)
                {
                    Assert.Equal(data, run.Output);
                    return;
                }

                var reading = ChunkedModel.Read(run.Output, strict: true);
                Assert.True(reading.Valid, reading.Error);
                Assert.Equal(run.Output.Length, reading.Consumed);
                Assert.Equal(0, reading.TrailerLines);
                Assert.Equal(data, reading.Data);
            },
            iter: 100,
            threads: 1);

    public void Dispose() => _origin.Dispose();
}
