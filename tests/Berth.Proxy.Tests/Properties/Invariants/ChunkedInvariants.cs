using Berth.Proxy.Origins;

namespace Berth.Proxy.Tests.Properties;

/// <summary>
/// What must hold for any bytes an origin sends as a chunked response body (<see cref="OriginBody.CopyChunkedAsync"/>),
/// read over a real loopback connection both ways the edge reads it (data only for Kestrel, re-framed
/// for the plain lane). Shared by the property tests, the corpus replay and the fuzz target.
/// </summary>
internal static class ChunkedInvariants
{
    /// <summary>
    /// Throws <see cref="InvariantViolationException"/> when an invariant fails. <paramref name="audit"/>
    /// adds the behaviour expected once the edge audit's fixes land (E14: trailer limits).
    /// </summary>
    public static async Task CheckAsync(OriginLoopback origin, byte[] input, bool audit)
    {
        var plain = await origin.CopyChunkedAsync(input, passFraming: false);
        var framed = await origin.CopyChunkedAsync(input, passFraming: true);
        foreach (var run in new[] { plain, framed })
        {
            if (run.Error is not (null or OriginProtocolException))
            {
                throw Http11.Violation($"the chunked body ended with {run.Error.GetType().Name}: {run.Error.Message}", input);
            }
        }

        if ((plain.Error is null) != (framed.Error is null))
        {
            throw Http11.Violation("the body is refused when re-framed but not when decoded, or the other way", input);
        }

        var strict = ChunkedModel.Read(input, strict: true);
        var tolerant = ChunkedModel.Read(input, strict: false);
        if (plain.Error is not null)
        {
            if (strict.Valid)
            {
                throw Http11.Violation($"a well-formed chunked body was refused ({plain.Error.Message})", input);
            }

            if (tolerant.Valid && tolerant.LongestLine <= ChunkedModel.MaxLine && !TrailersTooLarge(tolerant))
            {
                throw Http11.Violation($"a body the edge documents it tolerates was refused ({plain.Error.Message})", input);
            }

            return;
        }

        if (!tolerant.Valid)
        {
            throw Http11.Violation($"junk was accepted as a chunked body (model: {tolerant.Error})", input);
        }

        if (!plain.Output.AsSpan().SequenceEqual(tolerant.Data))
        {
            throw Http11.Violation($"the decoded data is not the chunks' data ({plain.Output.Length} bytes, the model {tolerant.Data.Length})", input);
        }

        if (tolerant.Data.Length != tolerant.Sizes.Sum())
        {
            throw Http11.Violation("the model read more or less data than the sizes declared", input);
        }

        // The re-framed body: well-formed, the same chunk sizes, no extension, no trailer, the same data.
        var reframed = ChunkedModel.Read(framed.Output, strict: true);
        if (!reframed.Valid || reframed.Consumed != framed.Output.Length || reframed.TrailerLines != 0
            || !reframed.Sizes.SequenceEqual(tolerant.Sizes) || !reframed.Data.AsSpan().SequenceEqual(tolerant.Data))
        {
            throw Http11.Violation("the re-framed body is not the same chunks, well-formed and nothing else", framed.Output);
        }

        if (audit && TrailersTooLarge(tolerant))
        {
            throw Http11.Violation($"E14: a trailer section of {tolerant.TrailerLines} lines, {tolerant.TrailerBytes} bytes was accepted", input);
        }
    }

    private static bool TrailersTooLarge(ChunkedReading reading) =>
        reading.TrailerLines > ChunkedModel.MaxTrailerLines || reading.TrailerBytes > ChunkedModel.MaxTrailerBytes;
}
