namespace Berth.Core.Accounts;

/// <summary>
/// A row of Berth's <c>System_Sessions</c>: one signed-in browser or client. Only a SHA-256
/// hash of the token is stored, so a copy of the database does not let anyone sign in.
/// </summary>
public sealed class Session
{
    public long Id { get; set; }

    /// <summary>Lower-case hex SHA-256 of the token the client holds.</summary>
    public string TokenHash { get; set; } = "";

    public long UserId { get; set; }

    /// <summary>Seed text timestamps (UTC, <c>yyyy-MM-dd HH:mm:ss</c>), like every other table.</summary>
    public string CreatedAt { get; set; } = "";

    public string LastSeenAt { get; set; } = "";

    public string ExpiresAt { get; set; } = "";

    public string ClientAddress { get; set; } = "";
}
