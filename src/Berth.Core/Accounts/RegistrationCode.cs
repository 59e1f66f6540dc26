namespace Berth.Core.Accounts;

/// <summary>A row of the seed's <c>System_RegistrationCodes</c>: one live code per admin.</summary>
public sealed class RegistrationCode
{
    public long Id { get; set; }

    /// <summary>The admin who generated the code.</summary>
    public long UserId { get; set; }

    public string Code { get; set; } = "";

    /// <summary>Unix seconds, as the seed stores it.</summary>
    public long ValidUntil { get; set; }
}
