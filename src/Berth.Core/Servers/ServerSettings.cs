namespace Berth.Core.Servers;

/// <summary>
/// Berth's own per-server row (<c>Hosting_ServerSettings</c>): limits, and where creation stands.
/// The seed's <c>Hosting_VirtualServers</c> has no room for either.
/// </summary>
public sealed class ServerSettings
{
    public long ServerId { get; set; }

    /// <summary>CPU limit in cores; null means unlimited.</summary>
    public double? Cpus { get; set; }

    public long? MemoryMb { get; set; }

    public long? Pids { get; set; }

    public ProvisioningState Provisioning { get; set; }

    /// <summary>Why creation failed, for the owner to read.</summary>
    public string LastError { get; set; } = "";

    public string UpdatedAt { get; set; } = "";
}

public enum ProvisioningState
{
    /// <summary>Row written; the reconciler has not finished making the container.</summary>
    Creating = 0,

    Ready = 1,

    /// <summary>Creation failed and was rolled back (no container left); <see cref="ServerSettings.LastError"/> says why.</summary>
    Failed = 2,
}
