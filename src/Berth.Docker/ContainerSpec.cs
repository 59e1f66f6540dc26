namespace Berth.Docker;

/// <summary>What a container is created from: image, identity, isolation, mounts, limits.</summary>
public sealed record ContainerSpec
{
    /// <summary>Image reference (<c>repository:tag</c> or id).</summary>
    public required string Image { get; init; }

    /// <summary>Container name; the engine picks one when null.</summary>
    public string? Name { get; init; }

    public string? Hostname { get; init; }

    /// <summary>Command as an argument vector (never parsed by a shell).</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>Entrypoint as an argument vector; the image's when null.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra labels; the session labels are always added.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> CapAdd { get; init; } = [];

    public IReadOnlyList<string> CapDrop { get; init; } = [];

    /// <summary>Engine security options, e.g. <c>seccomp=unconfined</c>.</summary>
    public IReadOnlyList<string> SecurityOptions { get; init; } = [];

    public bool Privileged { get; init; }

    /// <summary>OCI runtime name (e.g. <c>sysbox-runc</c>); the engine default when null.</summary>
    public string? Runtime { get; init; }

    /// <summary>Runs the engine's init as PID 1 so that orphans are reaped.</summary>
    public bool Init { get; init; }

    public IReadOnlyList<BindMount> Mounts { get; init; } = [];

    public ResourceLimits Limits { get; init; } = ResourceLimits.None;

    public RestartMode Restart { get; init; } = RestartMode.No;

    /// <summary>Network to attach to; the engine's default bridge when null.</summary>
    public string? Network { get; init; }
}

/// <summary>A host folder or file mounted into a container.</summary>
public sealed record BindMount(string Source, string Target, bool ReadOnly = false);

/// <summary>CPU, memory and process limits; null means unlimited.</summary>
public sealed record ResourceLimits(double? Cpus = null, long? MemoryBytes = null, long? Pids = null)
{
    public static ResourceLimits None { get; } = new();
}

/// <summary>What the engine does when the container stops.</summary>
public enum RestartMode
{
    No,
    UnlessStopped,
    Always,
    OnFailure,
}

/// <summary>Output and exit code of a command run in a container.</summary>
public sealed record ExecResult(long ExitCode, string StandardOutput, string StandardError);

/// <summary>One engine event (container started, network created, ...).</summary>
public sealed record EngineEvent(string Type, string Action, string ActorId, IReadOnlyDictionary<string, string> Attributes, DateTimeOffset Time);

/// <summary>What a reap removed.</summary>
public sealed record ReapResult(int Containers, int Networks);
