using Berth.Core.Servers;

namespace Berth.Server.Api.Contracts;

public sealed record CreateServerRequest(string? Name);

public sealed record RenameServerRequest(string? Name);

public sealed record ServerLimitsRequest(double? Cpus, long? MemoryMb, long? Pids);

public sealed record QuotaRequest(int? MaxServers);

public sealed record QuotaResponse(long UserId, int MaxServers);

public sealed record DomainSummaryResponse(long Id, string DomainName, bool IsCloudflare, bool Ssl);

public sealed record ServerResponse(
    long Id,
    string Name,
    long OwnerId,
    string? OwnerEmail,
    string State,
    string Status,
    bool Enabled,
    ServerLimits Limits,
    IReadOnlyList<DomainSummaryResponse> Domains,
    IReadOnlyList<StackSummary> Stacks,
    string? Error,
    string CreatedAt)
{
    public static ServerResponse From(ServerView view) => new(
        view.Id,
        view.Name,
        view.OwnerId,
        view.OwnerEmail,
        view.State,
        view.Status,
        view.Enabled,
        view.Limits,
        view.Domains.Select(d => new DomainSummaryResponse(d.Id, d.DomainName, d.IsCloudflare, d.Ssl)).ToList(),
        view.Stacks,
        view.Error,
        view.CreatedAt);
}
