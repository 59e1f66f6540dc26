namespace Berth.Core.Data;

/// <summary>
/// Names from the seed document (the data contract). The SQLite provider creates these tables
/// with the seed's DDL verbatim; other providers create them from the EF model.
/// </summary>
public static class SeedSchema
{
    /// <summary>The seed's six tables.</summary>
    public static readonly IReadOnlySet<string> Tables = new HashSet<string>(StringComparer.Ordinal)
    {
        "System_Users",
        "System_RegistrationCodes",
        "Hosting_VirtualServers",
        "Hosting_DockerContainers",
        "Hosting_DomainNames",
        "System_RecentActivity",
    };

    /// <summary>The indexes of the seed's section 8.2.</summary>
    public static readonly IReadOnlySet<string> Indexes = new HashSet<string>(StringComparer.Ordinal)
    {
        "idx_vs_owner",
        "idx_vs_deleted",
        "idx_dc_parent",
        "idx_dn_vs",
        "idx_ra_time",
    };

    /// <summary>
    /// Prefix of model indexes that stand for the seed's inline <c>UNIQUE</c> column constraints.
    /// On SQLite the verbatim DDL already carries them, so no separate index is created.
    /// </summary>
    public const string InlineConstraintPrefix = "seed_unique_";

    /// <summary>Berth's schema-version record: the applied migrations, in the seed's naming style.</summary>
    public const string MigrationsHistoryTable = "System_Migrations";
}
