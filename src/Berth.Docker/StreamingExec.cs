using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Docker;

/// <summary>Which output stream of a process a chunk came from.</summary>
public enum ExecOutput
{
    StandardOutput,
    StandardError,
}

/// <summary>
/// A process started in a running container without a TTY, its output read as it comes, stdout and
/// stderr kept apart (the engine multiplexes them into one stream with a header per frame). The
/// argument vector goes to the engine as is, never through a shell. Output is read only as fast as
/// the caller asks for it, so a slow reader holds the process back instead of growing a buffer.
/// Optional input is written once and then closed (the process sees end of file).
/// </summary>
public sealed class StreamingExec : IAsyncDisposable
{
    private readonly IDockerClient _client;
    private readonly MultiplexedStream _stream;

    private StreamingExec(IDockerClient client, string id, MultiplexedStream stream)
    {
        _client = client;
        Id = id;
        _stream = stream;
    }

    /// <summary>The engine's id of the exec.</summary>
    public string Id { get; }

    internal static async Task<StreamingExec> StartAsync(
        IDockerClient client, string containerId, IReadOnlyList<string> argv, StreamingExecOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0)
        {
            throw new ArgumentException("An exec needs at least the program.", nameof(argv));
        }

        var created = await client.Exec.CreateContainerExecAsync(
            containerId,
            new ContainerExecCreateParameters
            {
                Cmd = [.. argv],
                User = options.User!,
                WorkingDir = options.WorkingDirectory!,
                Env = [.. options.Environment.Select(e => $"{e.Key}={e.Value}")],
                AttachStdin = options.Input is not null,
                AttachStdout = true,
                AttachStderr = true,
            },
            cancellationToken);
        var stream = await client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters(), cancellationToken);
        var exec = new StreamingExec(client, created.ID, stream);
        if (options.Input is { } input)
        {
            try
            {
                await stream.WriteAsync(input, 0, input.Length, cancellationToken);
                stream.CloseWrite();
            }
            catch
            {
                await exec.DisposeAsync();
                throw;
            }
        }

        return exec;
    }

    /// <summary>Reads the next chunk of output into <paramref name="buffer"/>; a count of 0 means the process closed its output.</summary>
    public async Task<(int Count, ExecOutput Stream)> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var result = await _stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
        return result.EOF
            ? (0, ExecOutput.StandardOutput)
            : (result.Count, result.Target == MultiplexedStream.TargetStream.StandardError ? ExecOutput.StandardError : ExecOutput.StandardOutput);
    }

    /// <summary>The exit code once the process has ended; null while it runs.</summary>
    public async Task<long?> ExitCodeAsync(CancellationToken cancellationToken)
    {
        var inspect = await _client.Exec.InspectContainerExecAsync(Id, cancellationToken);
        return inspect.Running ? null : inspect.ExitCode;
    }

    /// <summary>The process id inside the container (to end it when the reader gives up early); 0 when unknown.</summary>
    public async Task<long> ProcessIdAsync(CancellationToken cancellationToken)
    {
        var inspect = await _client.Exec.InspectContainerExecAsync(Id, cancellationToken);
        return inspect.Pid;
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>How a <see cref="StreamingExec"/> runs: as whom, where, with which environment and input.</summary>
public sealed record StreamingExecOptions
{
    public string? User { get; init; }

    public string? WorkingDirectory { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Bytes written to the process's standard input, which is then closed; null: no input attached.</summary>
    public byte[]? Input { get; init; }
}
