namespace Berth.Core.Monitoring;

/// <summary>
/// A row of the seed's <c>Hosting_DockerContainers</c>: one container seen on the host
/// (<see cref="ParentServerId"/> 0) or inside a virtual server. Columns hold what
/// <c>docker ps --format '{{json .}}'</c> prints.
/// </summary>
public sealed class DockerContainer
{
    public string DockerId { get; set; } = "";

    public long ParentServerId { get; set; }

    public string Command { get; set; } = "";

    public string CreatedAt { get; set; } = "";

    public string Image { get; set; } = "";

    public string Labels { get; set; } = "";

    public string Mounts { get; set; } = "";

    public string Names { get; set; } = "";

    public string Networks { get; set; } = "";

    public string Ports { get; set; } = "";

    public string RunningFor { get; set; } = "";

    public string Size { get; set; } = "";

    public string State { get; set; } = "";

    public string Status { get; set; } = "";

    /// <summary>Seed text timestamp of the last time the monitor saw the container.</summary>
    public string UpdatedAt { get; set; } = "";
}
