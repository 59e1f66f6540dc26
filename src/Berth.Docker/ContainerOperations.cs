using System.Globalization;
using System.Runtime.CompilerServices;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace Berth.Docker;

/// <summary>Containers of one engine: create (always labelled), start, stop, remove, inspect, exec.</summary>
public sealed class ContainerOperations
{
    /// <summary>The security option that lifts the masking of /proc and /sys paths (as the CLI spells it).</summary>
    public const string UnconfinedSystemPaths = "systempaths=unconfined";

    private readonly IDockerClient _client;
    private readonly ResourceLabels _labels;

    internal ContainerOperations(IDockerClient client, ResourceLabels labels)
    {
        _client = client;
        _labels = labels;
    }

    /// <summary>Creates (does not start) a container; returns its id.</summary>
    public async Task<string> CreateAsync(ContainerSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var hostConfig = new HostConfig
        {
            CapAdd = [.. spec.CapAdd],
            CapDrop = [.. spec.CapDrop],
            SecurityOpt = [.. spec.SecurityOptions.Where(o => o != UnconfinedSystemPaths)],
            Privileged = spec.Privileged,
            Runtime = spec.Runtime!,
            Init = spec.Init ? true : null,
            Mounts = [.. spec.Mounts.Select(m => new Mount { Type = "bind", Source = m.Source, Target = m.Target, ReadOnly = m.ReadOnly })],
            RestartPolicy = ToRestartPolicy(spec.Restart),
            NetworkMode = spec.Network!,
        };
        if (spec.SecurityOptions.Contains(UnconfinedSystemPaths))
        {
            // The CLI's `--security-opt systempaths=unconfined` is not an engine option: it means no masked or read-only /proc and /sys paths.
            hostConfig.MaskedPaths = [];
            hostConfig.ReadonlyPaths = [];
        }

        ApplyLimits(hostConfig, spec.Limits);
        var parameters = new CreateContainerParameters
        {
            Name = spec.Name!,
            Image = spec.Image,
            Hostname = spec.Hostname!,
            Cmd = spec.Command is null ? null! : [.. spec.Command],
            Entrypoint = spec.Entrypoint is null ? null! : [.. spec.Entrypoint],
            Env = [.. spec.Environment.Select(e => $"{e.Key}={e.Value}")],
            Labels = _labels.Apply(spec.Labels),
            HostConfig = hostConfig,
        };
        var response = await _client.Containers.CreateContainerAsync(parameters, cancellationToken);
        return response.ID;
    }

    public async Task StartAsync(string id, CancellationToken cancellationToken) =>
        await _client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);

    /// <summary>Stops a container, killing it after <paramref name="grace"/>; a stopped one is left as is.</summary>
    public async Task StopAsync(string id, TimeSpan grace, CancellationToken cancellationToken)
    {
        if (grace > TimeSpan.Zero)
        {
            await _client.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) }, cancellationToken);
            return;
        }

        // A zero wait is not sent by the client (the engine would then wait its default 10 s): kill outright.
        try
        {
            await _client.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = "KILL" }, cancellationToken);
            await _client.Containers.WaitContainerAsync(id, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // Not running: already stopped.
        }
    }

    /// <summary>Removes a container (running or not) and its anonymous volumes; a missing one is not an error.</summary>
    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await _client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
        }
    }

    /// <summary>The engine's full view of a container, or null when it does not exist.</summary>
    public async Task<ContainerInspectResponse?> InspectAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.Containers.InspectContainerAsync(id, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The last <paramref name="lines"/> lines a container printed (stdout, then stderr), for an error that says why it stopped.</summary>
    public async Task<string> TailLogsAsync(string id, int lines, CancellationToken cancellationToken)
    {
        using var stream = await _client.Containers.GetContainerLogsAsync(
            id,
            new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = lines.ToString(CultureInfo.InvariantCulture) },
            cancellationToken);
        var (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
        return stdout + stderr;
    }

    /// <summary>
    /// The container's log lines as the engine keeps them: each with its stream (stdout or stderr, the
    /// engine's own split) and the engine's timestamp first; the last <paramref name="tail"/> lines, then
    /// new ones while <paramref name="follow"/> (until the container stops or the caller cancels). A line
    /// longer than <paramref name="maxLine"/> bytes is cut; the next chunk is read only when the caller
    /// asks for the next line, so a slow reader slows the engine's stream and never grows memory.
    /// </summary>
    public async IAsyncEnumerable<ContainerLogLine> ReadLogsAsync(
        string id, int tail, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken, int maxLine = 16 * 1024)
    {
        using var stream = await _client.Containers.GetContainerLogsAsync(
            id,
            new ContainerLogsParameters
            {
                ShowStdout = true,
                ShowStderr = true,
                Timestamps = true,
                Follow = follow,
                Tail = tail.ToString(CultureInfo.InvariantCulture),
            },
            cancellationToken);
        // A read blocked on a quiet follow may not watch the token: closing the stream ends it.
        await using var closing = cancellationToken.Register(stream.Dispose);
        var buffer = new byte[16 * 1024];
        var pending = new[] { new LineBuffer(maxLine), new LineBuffer(maxLine) };
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
            if (read.EOF)
            {
                break;
            }

            var standardError = read.Target == MultiplexedStream.TargetStream.StandardError;
            var line = pending[standardError ? 1 : 0];
            for (var i = 0; i < read.Count; i++)
            {
                if (line.Add(buffer[i]) is { } complete)
                {
                    yield return new ContainerLogLine(standardError, complete);
                }
            }
        }

        for (var i = 0; i < pending.Length; i++)
        {
            if (pending[i].Rest() is { } rest)
            {
                yield return new ContainerLogLine(i == 1, rest);
            }
        }
    }

    /// <summary>Applies new limits to a running container.</summary>
    public async Task UpdateLimitsAsync(string id, ResourceLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var update = new ContainerUpdateParameters();
        if (limits.Cpus is { } cpus)
        {
            update.NanoCPUs = (long)(cpus * 1_000_000_000);
        }

        if (limits.MemoryBytes is { } memory)
        {
            update.Memory = memory;
            update.MemorySwap = memory;
        }

        if (limits.Pids is { } pids)
        {
            update.PidsLimit = pids;
        }

        await _client.Containers.UpdateContainerAsync(id, update, cancellationToken);
    }

    /// <summary>Containers carrying <paramref name="label"/> (<c>key</c> or <c>key=value</c>), running or not.</summary>
    public async Task<IList<ContainerListResponse>> ListByLabelAsync(string label, CancellationToken cancellationToken) =>
        await _client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
            },
            cancellationToken);

    /// <summary>
    /// Runs <paramref name="argv"/> in a running container and waits for it: the argument vector
    /// goes to the engine as is, never through a shell.
    /// </summary>
    public async Task<ExecResult> ExecAsync(string id, IReadOnlyList<string> argv, CancellationToken cancellationToken, string? user = null)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0)
        {
            throw new ArgumentException("An exec needs at least the program.", nameof(argv));
        }

        var exec = await _client.Exec.CreateContainerExecAsync(
            id,
            new ContainerExecCreateParameters { Cmd = [.. argv], AttachStdout = true, AttachStderr = true, User = user! },
            cancellationToken);
        string stdout, stderr;
        using (var stream = await _client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken))
        {
            (stdout, stderr) = await stream.ReadOutputToEndAsync(cancellationToken);
        }

        var inspect = await _client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken);
        return new ExecResult(inspect.ExitCode ?? -1, stdout, stderr);
    }

    /// <summary>
    /// Starts <paramref name="spec"/> in a running container with a TTY and its input and output
    /// attached (a web terminal's shell); the caller disposes it.
    /// </summary>
    public Task<InteractiveExec> StartInteractiveAsync(string id, InteractiveExecSpec spec, CancellationToken cancellationToken) =>
        InteractiveExec.StartAsync(_client, id, spec, cancellationToken);

    /// <summary>
    /// Starts <paramref name="argv"/> in a running container without a TTY, its output streamed with
    /// stdout and stderr apart (an action whose output is shown live); the caller disposes it.
    /// </summary>
    public Task<StreamingExec> StartStreamingAsync(string id, IReadOnlyList<string> argv, StreamingExecOptions options, CancellationToken cancellationToken) =>
        StreamingExec.StartAsync(_client, id, argv, options, cancellationToken);

    private static void ApplyLimits(HostConfig hostConfig, ResourceLimits limits)
    {
        if (limits.Cpus is { } cpus)
        {
            hostConfig.NanoCPUs = (long)(cpus * 1_000_000_000);
        }

        if (limits.MemoryBytes is { } memory)
        {
            hostConfig.Memory = memory;
            hostConfig.MemorySwap = memory;
        }

        if (limits.Pids is { } pids)
        {
            hostConfig.PidsLimit = pids;
        }
    }

    private static RestartPolicy ToRestartPolicy(RestartMode mode) => new()
    {
        Name = mode switch
        {
            RestartMode.UnlessStopped => RestartPolicyKind.UnlessStopped,
            RestartMode.Always => RestartPolicyKind.Always,
            RestartMode.OnFailure => RestartPolicyKind.OnFailure,
            _ => RestartPolicyKind.No,
        },
    };
}
