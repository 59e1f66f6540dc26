namespace Berth.Core.Forwards;

/// <summary>
/// A row of Berth's <c>Hosting_PortForwards</c>: connections to <see cref="PublicPort"/> on the
/// host go to <see cref="InternalPort"/> of the server's own address, and nowhere else.
/// </summary>
public sealed class PortForward
{
    public long Id { get; set; }

    public long VirtualServerId { get; set; }

    /// <summary>Unique on the whole platform; always inside the operator's pool.</summary>
    public int PublicPort { get; set; }

    public int InternalPort { get; set; }

    /// <summary><c>tcp</c> (the only protocol the splice carries; see docs/decisions/0008-port-forwards.md).</summary>
    public string Protocol { get; set; } = ForwardRules.Tcp;

    public string Description { get; set; } = "";

    /// <summary><c>off</c>, <c>v1</c> or <c>v2</c>: the PROXY protocol header written to the app first (<see cref="ProxyProtocolHeader"/>).</summary>
    public string ProxyProtocol { get; set; } = "off";

    public string CreatedAt { get; set; } = "";

    public string UpdatedAt { get; set; } = "";
}

/// <summary>How many forwards each server of a user may have (<c>System_UserForwardQuotas</c>); users without a row get the default.</summary>
public sealed class ForwardQuota
{
    public long UserId { get; set; }

    public int MaxForwardsPerServer { get; set; }
}
