namespace Berth.Core.Stacks;

/// <summary>One container of a stack as the monitor last saw it (<see cref="Service"/>: its <c>com.docker.compose.service</c> label).</summary>
public sealed record StackServiceView(string Service, string Container, string Image, string State, string Status, string Ports);

/// <summary>
/// A stack: a folder with a compose file, containers with its project label, or both.
/// <see cref="Folder"/> is null for a stack started by hand without one. <see cref="Status"/>:
/// <c>running</c>, <c>partly-running</c>, <c>stopped</c> or <c>no-containers</c>.
/// </summary>
public sealed record StackView(string Name, string? Folder, string? ComposeFile, string Status, IReadOnlyList<StackServiceView> Services, string? RunningOperationId)
{
    public const string Running = "running";
    public const string PartlyRunning = "partly-running";
    public const string Stopped = "stopped";
    public const string NoContainers = "no-containers";

    public static string StatusOf(IReadOnlyCollection<StackServiceView> services)
    {
        var running = services.Count(s => s.State == "running");
        return services.Count == 0 ? NoContainers : running == services.Count ? Running : running == 0 ? Stopped : PartlyRunning;
    }
}

/// <summary>A stack with its files as read (<see cref="Version"/>: give it back when saving, to be told of a change made since).</summary>
public sealed record StackDocument(StackView Stack, string? Compose, string? Env, string? Version);
