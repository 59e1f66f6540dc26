using Berth.Proxy.Tests.Properties;
using SharpFuzz;

namespace Berth.Proxy.Fuzz;

/// <summary>
/// The edge parsers' fuzz targets (<see cref="FuzzTargets"/>), one per parser, chosen by the first
/// argument. Under afl-fuzz (see scripts/fuzz.sh) each input runs through the same invariants as the
/// property tests; a violation escapes as an exception, which SharpFuzz reports to afl-fuzz as a crash.
/// With file arguments after the target it replays those files instead and prints what fails.
/// </summary>
internal static class Program
{
    private static OriginLoopback? _origin;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || !FuzzTargets.Names.Contains(args[0]))
        {
            Console.Error.WriteLine($"usage: Berth.Proxy.Fuzz {string.Join('|', FuzzTargets.Names)} [input files to replay]");
            Console.Error.WriteLine("  BERTH_FUZZ_AUDIT=1 adds the checks of the edge audit's pending fixes.");
            return 2;
        }

        var target = args[0];
        var audit = Environment.GetEnvironmentVariable("BERTH_FUZZ_AUDIT") == "1";

        // The callback is synchronous; the chunked target's loopback I/O completes on the edge's own loop thread.
        void Check(byte[] input) => FuzzTargets.RunAsync(target, input, audit, () => _origin ??= new OriginLoopback()).GetAwaiter().GetResult();

        if (args.Length > 1)
        {
            return Replay(Check, args[1..]);
        }

        Fuzzer.OutOfProcess.Run(stream => Check(ReadInput(stream)));
        return 0;
    }

    private static int Replay(Action<byte[]> check, string[] files)
    {
        var failed = 0;
        foreach (var file in files)
        {
            try
            {
                check(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
            }
        }

        Console.WriteLine($"{files.Length} inputs, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static byte[] ReadInput(Stream stream)
    {
        var input = new MemoryStream();
        stream.CopyTo(input);
        return input.ToArray();
    }
}
