namespace Berth.Core.Accounts;

/// <summary>A row of the seed's <c>System_Users</c>.</summary>
public sealed class User
{
    public long Id { get; set; }

    public string Email { get; set; } = "";

    /// <summary>bcrypt hash (the seed's <c>$2b$12$</c> hashes verify as they are).</summary>
    public string Password { get; set; } = "";

    /// <summary>The seed declares <c>Admin INTEGER DEFAULT 0</c> without NOT NULL, so an adopted row may hold NULL.</summary>
    public bool? Admin { get; set; }

    public bool Enabled { get; set; }

    /// <summary>Seed text timestamp (<c>yyyy-MM-dd HH:mm:ss</c>, UTC) or empty when the user never logged in.</summary>
    public string LastLogin { get; set; } = "";

    public bool IsAdmin => Admin == true;
}
