using Berth.Core.Forwards;

namespace Berth.Server.Api.Contracts;

/// <summary>
/// Body of adding or replacing a forward. <c>publicPort</c> left out: on add, the lowest free port of
/// the pool is picked; on replace, the current one is kept. <c>protocol</c>: <c>tcp</c> (the default).
/// <c>description</c>: at most 100 characters. <c>proxyProtocol</c>: <c>off</c> (the default), <c>v1</c> or
/// <c>v2</c>, a PROXY protocol header written to the app before the client's bytes so that it learns the
/// client's real address (only for apps configured to expect it); left out on replace, kept.
/// </summary>
public sealed record ForwardRequest(int? PublicPort, int? InternalPort, string? Protocol, string? Description, string? ProxyProtocol = null)
{
    public ForwardFields Fields() => new(PublicPort, InternalPort, Protocol, Description, ProxyProtocol);
}

/// <summary>A forward; <c>address</c> is what to connect to (<c>--forward-host</c>:<c>publicPort</c>).</summary>
public sealed record ForwardResponse(
    long Id, long ServerId, int PublicPort, int InternalPort, string Protocol, string Description, string ProxyProtocol, string Address,
    DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt)
{
    public static ForwardResponse From(ForwardView view) => new(
        view.Id, view.ServerId, view.PublicPort, view.InternalPort, view.Protocol, view.Description, view.ProxyProtocol, view.Address,
        Fields.Time(view.CreatedAt), Fields.Time(view.UpdatedAt));
}

/// <summary>The dry run's verdict: <c>code</c> and <c>field</c> (publicPort, internalPort, protocol, description, proxyProtocol, server) say what is wrong.</summary>
public sealed record ForwardValidationResponse(bool Valid, string? Code, string Message, string? Field);

public sealed record ForwardQuotaRequest(int? MaxForwardsPerServer);

public sealed record ForwardQuotaResponse(long UserId, int MaxForwardsPerServer);
