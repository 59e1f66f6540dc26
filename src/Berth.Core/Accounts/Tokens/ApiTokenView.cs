namespace Berth.Core.Accounts.Tokens;

/// <summary>A token as its owner sees it in a list: never the secret.</summary>
public sealed record ApiTokenView(
    long Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<long>? ServerIds,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt);

/// <summary>A token just created: the secret is in <see cref="Token"/> this once and never again.</summary>
public sealed record CreatedApiToken(ApiTokenView View, string Token);

/// <summary>Who a valid token acts for, read fresh from the database on every request.</summary>
public sealed record ApiTokenPrincipal(
    long TokenId,
    string TokenName,
    long UserId,
    string Email,
    bool Admin,
    IReadOnlySet<string> Scopes,
    IReadOnlySet<long>? ServerIds);
