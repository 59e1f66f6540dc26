using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Hosting;

/// <summary>The host programs Berth may run. Nothing else is ever started.</summary>
public enum HostTool
{
    Debootstrap,

    /// <summary>Runs apt inside the image's root filesystem while it is being built.</summary>
    Chroot,
    Tar,
    Umount,

    /// <summary>The host firewall (filter table rules that keep virtual servers off the host and private ranges).</summary>
    Iptables,

    /// <summary>Node.js, which runs the SSH entry's gateway (decision 0009).</summary>
    Node,
}

/// <summary>A host program's exit code and the tail of its standard error.</summary>
public sealed record HostToolResult(int ExitCode, string ErrorTail);

/// <summary>
/// The one place that starts host programs (BannedSymbols.txt forbids Process.Start elsewhere):
/// a fixed set of tools found at fixed paths, arguments passed as a vector (no shell, no
/// command string), standard input closed, output read line by line or as a stream.
/// </summary>
public sealed partial class HostTools(ILogger<HostTools> logger)
{
    private const int ErrorTailLines = 20;

    /// <summary>Full path of <paramref name="tool"/>, or null when it is not installed.</summary>
    public static string? Locate(HostTool tool)
    {
        var (name, folders) = tool switch
        {
            HostTool.Debootstrap => ("debootstrap", new[] { "/usr/sbin", "/sbin" }),
            HostTool.Chroot => ("chroot", new[] { "/usr/sbin", "/sbin" }),
            HostTool.Tar => ("tar", new[] { "/usr/bin", "/bin" }),
            HostTool.Umount => ("umount", new[] { "/usr/bin", "/bin" }),
            HostTool.Iptables => ("iptables", new[] { "/usr/sbin", "/sbin" }),
            HostTool.Node => ("node", new[] { "/usr/bin", "/usr/local/bin" }),
            _ => throw new ArgumentOutOfRangeException(nameof(tool)),
        };
        return folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>Runs a tool to completion, handing each output line (stdout and stderr) to <paramref name="onLine"/>.</summary>
    public async Task<HostToolResult> RunAsync(HostTool tool, IReadOnlyList<string> arguments, Action<string>? onLine, CancellationToken cancellationToken)
    {
        using var process = Start(tool, arguments);
        LogStarted(tool, process.Id, arguments.Count);
        var tail = new Queue<string>();
        var stdout = Pump(process.StandardOutput, onLine, null);
        var stderr = Pump(process.StandardError, onLine, tail);
        await WaitAsync(process, cancellationToken);
        await Task.WhenAll(stdout, stderr);
        LogExited(tool, process.Id, process.ExitCode);
        return new HostToolResult(process.ExitCode, string.Join('\n', tail));
    }

    /// <summary>
    /// Runs a tool whose standard output is data (an archive): <paramref name="consume"/> reads it
    /// while the tool runs.
    /// </summary>
    public async Task<HostToolResult> RunStreamingAsync(HostTool tool, IReadOnlyList<string> arguments, Func<Stream, CancellationToken, Task> consume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consume);
        using var process = Start(tool, arguments);
        LogStarted(tool, process.Id, arguments.Count);
        var tail = new Queue<string>();
        var stderr = Pump(process.StandardError, null, tail);
        try
        {
            await consume(process.StandardOutput.BaseStream, cancellationToken);
        }
        catch
        {
            Kill(process);
            throw;
        }

        await WaitAsync(process, cancellationToken);
        await stderr;
        LogExited(tool, process.Id, process.ExitCode);
        return new HostToolResult(process.ExitCode, string.Join('\n', tail));
    }

    /// <summary>
    /// Starts a long-running tool that the caller talks to over its standard input and output (the
    /// SSH gateway); the caller owns the process and ends it.
    /// </summary>
    public Process StartConversation(HostTool tool, IReadOnlyList<string> arguments)
    {
        var process = Start(tool, arguments, keepInput: true);
        LogStarted(tool, process.Id, arguments.Count);
        return process;
    }

    private static Process Start(HostTool tool, IReadOnlyList<string> arguments, bool keepInput = false)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var path = Locate(tool) ?? throw new InvalidOperationException($"The host program {tool.ToString().ToLowerInvariant()} is not installed.");
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["LC_ALL"] = "C";
#pragma warning disable RS0030 // This class is the one place allowed to run host programs (see BannedSymbols.txt).
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {path}.");
#pragma warning restore RS0030
        if (!keepInput)
        {
            process.StandardInput.Close();
        }

        return process;
    }

    private static async Task WaitAsync(Process process, CancellationToken cancellationToken)
    {
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static async Task Pump(StreamReader reader, Action<string>? onLine, Queue<string>? tail)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            onLine?.Invoke(line);
            if (tail is not null)
            {
                lock (tail)
                {
                    tail.Enqueue(line);
                    if (tail.Count > ErrorTailLines)
                    {
                        tail.Dequeue();
                    }
                }
            }
        }
    }

    private void LogStarted(HostTool tool, int pid, int argumentCount)
    {
        var level = LevelOf(tool);
        if (logger.IsEnabled(level))
        {
            LogStarted(level, tool, pid, argumentCount);
        }
    }

    private void LogExited(HostTool tool, int pid, int exitCode)
    {
        var level = LevelOf(tool);
        if (logger.IsEnabled(level))
        {
            LogExited(level, tool, pid, exitCode);
        }
    }

    /// <summary>The firewall is checked on every server creation: its calls are detail, not news.</summary>
    private static LogLevel LevelOf(HostTool tool) => tool == HostTool.Iptables ? LogLevel.Debug : LogLevel.Information;

    [LoggerMessage(EventId = 1100, Message = "Started host tool {Tool} (pid {Pid}, {ArgumentCount} arguments)")]
    private partial void LogStarted(LogLevel level, HostTool tool, int pid, int argumentCount);

    [LoggerMessage(EventId = 1101, Message = "Host tool {Tool} (pid {Pid}) exited with {ExitCode}")]
    private partial void LogExited(LogLevel level, HostTool tool, int pid, int exitCode);
}
