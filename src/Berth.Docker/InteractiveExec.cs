using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Docker;

/// <summary>What an interactive exec runs: the argument vector as is (never through a shell), as whom, where, with which terminal size.</summary>
public sealed record InteractiveExecSpec(IReadOnlyList<string> Command, int Columns, int Rows)
{
    public string? User { get; init; }

    public string? WorkingDirectory { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A process started in a running container with a TTY, its input and output attached over the
/// engine's hijacked connection. The size is given when the exec is created and started (engines
/// from API 1.42 use it, so the shell starts at the right size); older engines ignore it, so the
/// size is also set once right after the start (the kernel then tells the shell by SIGWINCH).
/// Reads and writes may run at the same time; each direction has one caller at a time.
/// </summary>
public sealed class InteractiveExec : IAsyncDisposable
{
    private readonly IDockerClient _client;
    private readonly MultiplexedStream _stream;

    private InteractiveExec(IDockerClient client, string id, MultiplexedStream stream)
    {
        _client = client;
        Id = id;
        _stream = stream;
    }

    /// <summary>The engine's id of the exec.</summary>
    public string Id { get; }

    internal static async Task<InteractiveExec> StartAsync(IDockerClient client, string containerId, InteractiveExecSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Command.Count == 0)
        {
            throw new ArgumentException("An exec needs at least the program.", nameof(spec));
        }

        var size = new ConsoleSize { Height = (ulong)spec.Rows, Width = (ulong)spec.Columns };
        var created = await client.Exec.CreateContainerExecAsync(
            containerId,
            new ContainerExecCreateParameters
            {
                Cmd = [.. spec.Command],
                User = spec.User!,
                WorkingDir = spec.WorkingDirectory!,
                Env = [.. spec.Environment.Select(e => $"{e.Key}={e.Value}")],
                TTY = true,
                AttachStdin = true,
                AttachStdout = true,
                AttachStderr = true,
                ConsoleSize = size,
            },
            cancellationToken);
        var stream = await client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters { TTY = true, ConsoleSize = size }, cancellationToken);
        var exec = new InteractiveExec(client, created.ID, stream);
        try
        {
            await exec.ResizeAsync(spec.Columns, spec.Rows, cancellationToken);
        }
        catch (DockerApiException)
        {
            // The process may already have ended (a command that exits at once): its output still waits on the stream.
        }

        return exec;
    }

    /// <summary>Reads output into <paramref name="buffer"/>; 0 when the process closed its terminal.</summary>
    public async Task<int> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var result = await _stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
        return result.EOF ? 0 : result.Count;
    }

    /// <summary>Writes bytes to the process's terminal, as typed.</summary>
    public Task WriteAsync(byte[] buffer, int count, CancellationToken cancellationToken) =>
        _stream.WriteAsync(buffer, 0, count, cancellationToken);

    public Task ResizeAsync(int columns, int rows, CancellationToken cancellationToken) =>
        _client.Exec.ResizeExecTtyAsync(Id, new ContainerResizeParameters { Width = columns, Height = rows }, cancellationToken);

    /// <summary>The exit code once the process has ended; null while it runs.</summary>
    public async Task<long?> ExitCodeAsync(CancellationToken cancellationToken)
    {
        var inspect = await _client.Exec.InspectContainerExecAsync(Id, cancellationToken);
        return inspect.Running ? null : inspect.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        return ValueTask.CompletedTask;
    }
}
