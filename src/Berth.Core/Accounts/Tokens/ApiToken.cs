namespace Berth.Core.Accounts.Tokens;

/// <summary>
/// A row of Berth's <c>System_ApiTokens</c>: a personal access token for the API. Only a SHA-256 hash
/// of the secret is stored (the secret is 32 random bytes, so a plain hash is enough: there is nothing
/// to guess), and the row goes with its user.
/// </summary>
public sealed class ApiToken
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the token the client holds.</summary>
    public string TokenHash { get; set; } = "";

    /// <summary>The token's first characters (<c>berth_</c> and four more), so a list tells tokens apart without the secret.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>The scopes, separated by spaces (<see cref="ApiTokenScopes"/>).</summary>
    public string Scopes { get; set; } = "";

    /// <summary>The servers the token may reach, ids separated by commas; null for all of the owner's servers.</summary>
    public string? ServerIds { get; set; }

    /// <summary>Seed text timestamps (UTC, <c>yyyy-MM-dd HH:mm:ss</c>), like every other table.</summary>
    public string CreatedAt { get; set; } = "";

    public string? ExpiresAt { get; set; }

    public string? LastUsedAt { get; set; }
}
