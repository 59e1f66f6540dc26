using Berth.Core.Accounts.Tokens;

namespace Berth.Server.Api.Contracts;

/// <summary>
/// Body of creating an API token. <c>scopes</c>: one or more of <c>read</c> (safe methods anywhere a token
/// may go), <c>servers</c> (changes to servers, their domains, forwards and files), <c>stacks:deploy</c>
/// (stack actions) and <c>admin</c> (admin routes; only for an admin). <c>expiresAt</c> left out: the token
/// lives until revoked. <c>serverIds</c> left out: all of the owner's servers; otherwise only those.
/// </summary>
public sealed record CreateTokenRequest(string? Name, List<string>? Scopes, DateTimeOffset? ExpiresAt, List<long>? ServerIds);

/// <summary>A token in the owner's list; <c>prefix</c> is its first characters, never the secret.</summary>
public sealed record TokenResponse(
    long Id, string Name, string Prefix, IReadOnlyList<string> Scopes, IReadOnlyList<long>? ServerIds,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt)
{
    public static TokenResponse From(ApiTokenView view) =>
        new(view.Id, view.Name, view.Prefix, view.Scopes, view.ServerIds, view.CreatedAt, view.ExpiresAt, view.LastUsedAt);
}

/// <summary>A token just created: <c>token</c> is the secret, shown this once.</summary>
public sealed record CreatedTokenResponse(
    long Id, string Name, string Token, string Prefix, IReadOnlyList<string> Scopes, IReadOnlyList<long>? ServerIds,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt)
{
    public static CreatedTokenResponse From(CreatedApiToken created) => new(
        created.View.Id, created.View.Name, created.Token, created.View.Prefix, created.View.Scopes, created.View.ServerIds,
        created.View.CreatedAt, created.View.ExpiresAt);
}
