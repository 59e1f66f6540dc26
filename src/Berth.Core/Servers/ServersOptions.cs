using Berth.Core.Servers.Image;

namespace Berth.Core.Servers;

/// <summary>Settings of the virtual-server module (from <c>berth serve</c> options and the environment).</summary>
public sealed class ServersOptions
{
    /// <summary>Berth's data root: <c>SERVERS/</c> and <c>_DATA/</c> live under it.</summary>
    public string DataRoot { get; set; } = "./data";

    /// <summary>The host engine, e.g. <c>unix:///var/run/docker.sock</c>.</summary>
    public Uri DockerHost { get; set; } = new("unix:///var/run/docker.sock");

    /// <summary>Image of new servers; the built virtual-server image by default.</summary>
    public string Image { get; set; } = VirtualServerImage.Reference;

    /// <summary><c>auto</c>, <c>sysbox</c>, <c>privileged</c> or <c>caps</c>.</summary>
    public string RuntimeProfile { get; set; } = "auto";

    /// <summary>The Docker network of virtual servers (inter-container traffic disabled).</summary>
    public string Network { get; set; } = "berth-servers";

    /// <summary>Label prefix of every resource Berth creates; one installation id distinguishes installations sharing an engine.</summary>
    public string LabelPrefix { get; set; } = "berth";

    public string InstallationId { get; set; } = "default";

    public double? DefaultCpus { get; set; } = 1.0;

    public long? DefaultMemoryMb { get; set; } = 1024;

    public long? DefaultPids { get; set; } = 2048;

    /// <summary>Live servers a user may own unless an admin sets another quota.</summary>
    public int DefaultQuota { get; set; } = 5;

    /// <summary>How long a new server's inner engine may take to answer before creation fails.</summary>
    public TimeSpan EngineStartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the reconciler compares rows with the engine, besides when told of a change.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Optional registry mirror written into every server's engine configuration.</summary>
    public string? RegistryMirror { get; set; }

    /// <summary>
    /// Whether Berth installs host firewall rules for the servers' network (servers may not reach
    /// the host's own ports). Needs root and a local engine; see docs/operations/virtual-servers.md.
    /// </summary>
    public bool ManageFirewall { get; set; } = true;

    /// <summary>Whether servers are also kept off private and link-local ranges (cloud metadata, the LAN).</summary>
    public bool BlockPrivateEgress { get; set; } = true;

    /// <summary>Ranges (CIDR) servers may reach in spite of <see cref="BlockPrivateEgress"/>, e.g. a private package cache.</summary>
    public IReadOnlyList<string> AllowedEgress { get; set; } = [];

    /// <summary>Prefix of Berth's own iptables chains (one input and one forward chain per servers' bridge).</summary>
    public string FirewallChainPrefix { get; set; } = "BERTH";

    public string ServersRoot => Path.Combine(Path.GetFullPath(DataRoot), "SERVERS");

    /// <summary>Berth's TLS material for inner engines: outside every server's folder.</summary>
    public string EngineTlsRoot => Path.Combine(Path.GetFullPath(DataRoot), "_DATA", "engine-tls");
}
