using System.Diagnostics;
using System.Net;

namespace Berth.Server.Tests.Ssh;

/// <summary>What an OpenSSH tool printed and how it ended.</summary>
internal sealed record ToolRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}; stdout: {Output.Trim()}; stderr: {Error.Trim()}";
}

/// <summary>
/// The real OpenSSH client tools (ssh, scp, sftp, rsync over ssh) against the entry: no user or
/// system configuration, the entry's host key pinned in a known_hosts file of the test's own
/// (StrictHostKeyChecking=yes), a key or a password (given through SSH_ASKPASS, never a terminal).
/// </summary>
internal sealed class OpenSsh(IPEndPoint entry, string knownHosts, string askPass)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    public IPEndPoint Entry => entry;

    /// <summary>The options every tool gets: the entry's port, the pinned host key, no prompts.</summary>
    public List<string> Common(string? key, string? source = null)
    {
        List<string> options =
        [
            "-F", "/dev/null",
            "-o", $"UserKnownHostsFile={knownHosts}",
            "-o", "StrictHostKeyChecking=yes",
            "-o", "ConnectTimeout=20",
            "-o", "LogLevel=ERROR",
        ];
        if (key is not null)
        {
            options.AddRange(["-i", key, "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey", "-o", "BatchMode=yes"]);
        }
        else
        {
            options.AddRange(["-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1"]);
        }

        if (source is not null)
        {
            options.AddRange(["-o", $"BindAddress={source}"]);
        }

        return options;
    }

    /// <summary><c>ssh -p PORT [options] USER@127.0.0.1 [command]</c>.</summary>
    public Task<ToolRun> SshAsync(string user, string? key, string? command = null, string? password = null, string? stdin = null, IEnumerable<string>? extra = null, string? source = null)
    {
        List<string> arguments = ["-p", entry.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Common(key, source), .. extra ?? []];
        arguments.Add($"{user}@{entry.Address}");
        if (command is not null)
        {
            arguments.Add(command);
        }

        return RunAsync("ssh", arguments, password, stdin);
    }

    /// <summary><c>scp -P PORT [options] FROM TO</c>.</summary>
    public Task<ToolRun> ScpAsync(string? key, string from, string to) =>
        RunAsync("scp", ["-P", Port, .. Common(key), from, to]);

    /// <summary><c>sftp -P PORT -b BATCH [options] USER@host</c>.</summary>
    public Task<ToolRun> SftpAsync(string user, string? key, string batch) =>
        RunAsync("sftp", ["-P", Port, "-b", batch, .. Common(key), $"{user}@{entry.Address}"]);

    /// <summary><c>rsync -a -e "ssh -p PORT [options]" FROM TO</c>; the -e text is built from fixed test values only.</summary>
    public Task<ToolRun> RsyncAsync(string? key, string from, string to) =>
        RunAsync("rsync", ["-a", "-e", "ssh -p " + Port + " " + string.Join(' ', Common(key)), from, to]);

    private string Port => entry.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<ToolRun> RunAsync(string program, IReadOnlyList<string> arguments, string? password = null, string? stdin = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SSH_ASKPASS"] = askPass;
        start.Environment["SSH_ASKPASS_REQUIRE"] = "force";
        start.Environment["BERTH_TEST_SSH_PASSWORD"] = password ?? "";
        start.Environment.Remove("SSH_AUTH_SOCK");

        // The client under test is a host program of the test's own, like the fault scenarios' tools.
#pragma warning disable RS0030
        using var process = Process.Start(start)!;
#pragma warning restore RS0030
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var bound = new CancellationTokenSource(Bound);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not end within {Bound.TotalSeconds} s: {await error}");
        }

        return new ToolRun(process.ExitCode, await output, await error);
    }
}
