namespace Berth.Core.Servers;

public sealed record ServerLimits(double? Cpus, long? MemoryMb, long? Pids);

/// <summary>
/// A server as its owner sees it. <see cref="State"/>: <c>creating</c>, <c>failed</c>, or the
/// container's state (<c>running</c>, <c>exited</c>, ...), <c>missing</c> when the container is gone,
/// <c>unknown</c> when the engine cannot be asked.
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
    string? Error,
    string CreatedAt);
