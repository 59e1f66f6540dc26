namespace Berth.Core.Servers;

/// <summary>A row of the seed's <c>Hosting_VirtualServers</c>. ID 0 is the HOST row.</summary>
public sealed class VirtualServer
{
    public const long HostId = 0;

    /// <summary>Allocated by Berth (never reused), not by the database: it names the container.</summary>
    public long Id { get; set; }

    public long OwnerId { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Mirrors the running state.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Soft delete: the row stays so that its ID is never reused.</summary>
    public bool Deleted { get; set; }

    public string CreatedAt { get; set; } = "";

    public string UpdatedAt { get; set; } = "";
}
