using System.Diagnostics;

namespace Berth.TestUtilities;

/// <summary>
/// The real OpenSSH <c>ssh-keygen</c>: makes key pairs in a folder of the test's own and says what
/// it prints for them, so Berth's key reading is checked against the tool users have.
/// </summary>
public sealed class SshKeygen(string folder)
{
    /// <summary>A new key pair without a passphrase; returns the private key's path (the public one is path + ".pub").</summary>
    public async Task<string> GenerateAsync(string type, int? bits = null, string comment = "test@berth")
    {
        var path = Path.Combine(folder, $"id_{type}_{bits}_{Guid.NewGuid():N}");
        List<string> arguments = ["-q", "-t", type, "-N", "", "-C", comment, "-f", path];
        if (bits is { } b)
        {
            arguments.AddRange(["-b", b.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        await RunAsync(arguments);
        return path;
    }

    public static Task<string> PublicKeyAsync(string privatePath) => File.ReadAllTextAsync(privatePath + ".pub");

    /// <summary>What <c>ssh-keygen -lf</c> prints: (bits, fingerprint, type in brackets).</summary>
    public static async Task<(int Bits, string Fingerprint, string Type)> FingerprintAsync(string publicPath)
    {
        var words = (await RunAsync(["-l", "-E", "sha256", "-f", publicPath])).Trim().Split(' ');
        return (int.Parse(words[0], System.Globalization.CultureInfo.InvariantCulture), words[1], words[^1].Trim('(', ')'));
    }

    /// <summary>Runs ssh-keygen with an argument list (no shell) and returns its standard output; a failure fails the test.</summary>
    public static async Task<string> RunAsync(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("ssh-keygen") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // HostTools runs Berth's own host programs; the OpenSSH tools a test checks Berth against are the test's business.
#pragma warning disable RS0030
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ssh-keygen did not start");
#pragma warning restore RS0030
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen {string.Join(' ', start.ArgumentList)}: exit {process.ExitCode}: {await error}");
        }

        return await output;
    }
}
