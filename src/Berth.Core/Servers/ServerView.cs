namespace Berth.Core.Servers;

public sealed record ServerLimits(double? Cpus, long? MemoryMb, long? Pids);

/// <summary>
/// A server as its owner sees it. <see cref="State"/>: <c>creating</c>, <c>failed</c>, or the
/// container's state (<c>running</c>, <c>exited</c>, ...) from its container row (the engine when
/// there is no row yet), <c>missing</c> when the container is gone, <c>unknown</c> when the engine
/// cannot be asked. <see cref="Stacks"/>: its inner containers by Compose project.
/// <see cref="StatusSeenAt"/>: when the monitor last wrote <see cref="Status"/> (Docker's text ages:
/// "Up 2 minutes" seen an hour ago is "Up About an hour" now); null when it was read just now.
/// </summary>
public sealed record ServerView(
    long Id,
    string Name,
    long OwnerId,
    string? OwnerEmail,
    string State,
    string Status,
    bool Enabled,
    ServerLimits Limits,
    IReadOnlyList<DomainSummary> Domains,
    IReadOnlyList<StackSummary> Stacks,
    string? Error,
    string CreatedAt,
    DateTimeOffset? StatusSeenAt = null);
