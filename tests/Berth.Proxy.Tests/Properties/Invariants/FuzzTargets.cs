namespace Berth.Proxy.Tests.Properties;

/// <summary>The fuzz targets by name, as the fuzzer runs them and as the corpus replay runs them again.</summary>
internal static class FuzzTargets
{
    /// <summary>Inputs are cut to this: larger ones exercise nothing more than their start, only slower.</summary>
    public const int MaxInput = 16 * 1024;

    public static readonly string[] Names = ["lane-head", "response-head", "chunked"];

    /// <summary>
    /// Runs <paramref name="input"/> (cut to <see cref="MaxInput"/>) through the target's invariants;
    /// throws <see cref="InvariantViolationException"/> when one fails. <paramref name="origin"/> serves the chunked target.
    /// </summary>
    public static async Task RunAsync(string target, byte[] input, bool audit, Func<OriginLoopback> origin)
    {
        input = input.Length > MaxInput ? input[..MaxInput] : input;
        switch (target)
        {
            case "lane-head":
                LaneHeadInvariants.Check(input, audit);
                break;
            case "response-head":
                ResponseHeadInvariants.Check(input, audit);
                break;
            case "chunked":
                await ChunkedInvariants.CheckAsync(origin(), input, audit);
                break;
            default:
                throw new ArgumentException($"no fuzz target '{target}'", nameof(target));
        }
    }
}
