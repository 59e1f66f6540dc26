using System.Diagnostics;

namespace Berth.Server.Tests.Faults;

/// <summary>Runs a host program for a fault scenario (mount, pg_ctl) with an argument list; fails with its error output.</summary>
internal static class HostCommand
{
    public static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // HostTools runs Berth's own host programs; a fault scenario's disk or database server is the test's business.
#pragma warning disable RS0030
        using var process = Process.Start(start)!;
#pragma warning restore RS0030
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await output;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        }
    }
}
