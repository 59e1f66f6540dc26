namespace Berth.Core.Servers;

/// <summary>How many live servers a user may own (<c>System_UserQuotas</c>); users without a row get the default.</summary>
public sealed class UserQuota
{
    public long UserId { get; set; }

    public int MaxServers { get; set; }
}
