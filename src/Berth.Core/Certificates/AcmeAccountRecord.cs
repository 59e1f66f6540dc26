namespace Berth.Core.Certificates;

/// <summary>A row of Berth's <c>Hosting_AcmeAccounts</c>: the platform's account at one ACME directory.</summary>
public sealed class AcmeAccountRecord
{
    public long Id { get; set; }

    /// <summary>The directory URL the account belongs to; one account per directory.</summary>
    public string Directory { get; set; } = "";

    /// <summary>The ES256 account key, protected with ASP.NET Core Data Protection (never plain PEM).</summary>
    public string AccountKey { get; set; } = "";

    /// <summary>The account URL the CA assigned.</summary>
    public string AccountUrl { get; set; } = "";

    /// <summary>The contact address given to the CA, or empty.</summary>
    public string Email { get; set; } = "";

    public string CreatedAt { get; set; } = "";
}
