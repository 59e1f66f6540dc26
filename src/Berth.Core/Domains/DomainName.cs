namespace Berth.Core.Domains;

/// <summary>A row of the seed's <c>Hosting_DomainNames</c>.</summary>
public sealed class DomainName
{
    public long Id { get; set; }

    public long VirtualServerId { get; set; }

    /// <summary>Lower-case host name, unique across the platform.</summary>
    public string Name { get; set; } = "";

    public bool IsCloudflare { get; set; }

    public bool Ssl { get; set; }
}
