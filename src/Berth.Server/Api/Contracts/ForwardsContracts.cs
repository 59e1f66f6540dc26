using Berth.Core.Forwards;

namespace Berth.Server.Api.Contracts;

/// <summary>
/// Body of adding or replacing a forward. <c>publicPort</c> left out: on add, the lowest free port of
/// the pool is picked; on replace, the current one is kept. <c>protocol</c>: <c>tcp</c> (the default).
/// <c>description</c>: at most 100 characters.
/// </summary>
public sealed record ForwardRequest(int? PublicPort, int? InternalPort, string? Protocol, string? Description);

/// <summary>A forward; <c>address</c> is what to connect to (<c>--forward-host</c>:<c>publicPort</c>).</summary>
public sealed record ForwardResponse(
    long Id, long ServerId, int PublicPort, int InternalPort, string Protocol, string Description, string Address, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt)
{
    public static ForwardResponse From(ForwardView view) => new(
        view.Id, view.ServerId, view.PublicPort, view.InternalPort, view.Protocol, view.Description, view.Address,
        Fields.Time(view.CreatedAt), Fields.Time(view.UpdatedAt));
}

/// <summary>The dry run's verdict: <c>code</c> and <c>field</c> (publicPort, internalPort, protocol, description, server) say what is wrong.</summary>
public sealed record ForwardValidationResponse(bool Valid, string? Code, string Message, string? Field);

public sealed record ForwardQuotaRequest(int? MaxForwardsPerServer);

public sealed record ForwardQuotaResponse(long UserId, int MaxForwardsPerServer);
