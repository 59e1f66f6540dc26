namespace Berth.Proxy.Tests.Properties;

/// <summary>
/// Every input of the fuzz targets' corpus (seeds and what afl-fuzz found interesting, see
/// scripts/fuzz.sh) runs through the same invariants as under the fuzzer: a parser change that breaks
/// one of them on a known input fails here, without a fuzzing campaign.
/// </summary>
public sealed class FuzzCorpusReplayTests : IDisposable
{
    private readonly OriginLoopback _origin = new();

    [Theory]
    [InlineData("lane-head")]
    [InlineData("response-head")]
    [InlineData("chunked")]
    public async Task EveryCorpusInput_HoldsTheTargetsInvariants(string target)
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", target));
        var failures = new List<string>();

        foreach (var file in files)
        {
            var input = await File.ReadAllBytesAsync(file);
            try
            {
                await FuzzTargets.RunAsync(target, input, audit: false, () => _origin);
            }
            catch (InvariantViolationException e)
            {
                failures.Add($"{Path.GetFileName(file)}: {e.Message}");
            }
        }

        Assert.True(files.Length >= 5, $"the {target} corpus has {files.Length} inputs");
        Assert.Empty(failures);
    }

    public void Dispose() => _origin.Dispose();
}
