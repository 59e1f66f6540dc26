using Berth.Core.Errors;
using Berth.Docker;

namespace Berth.Core.Servers;

/// <summary>
/// How a virtual server is isolated from the host. <c>sysbox</c> (an unprivileged system-container
/// runtime) is the strongest; <c>privileged</c> is classic Docker-in-Docker; <c>caps</c> grants every
/// capability but CAP_SYS_RESOURCE with seccomp/AppArmor off, for hosts whose bounding set lacks
/// CAP_SYS_RESOURCE and so refuse <c>--privileged</c>.
/// </summary>
public sealed record RuntimeProfile(string Name, string Isolation, string? Runtime, bool Privileged, IReadOnlyList<string> CapAdd, IReadOnlyList<string> CapDrop, IReadOnlyList<string> SecurityOptions)
{
    public const string SysboxRuntime = "sysbox-runc";
    private const int CapSysResource = 24;

    public static readonly RuntimeProfile Sysbox = new("sysbox", "strong: user-namespaced system containers, no host privileges", SysboxRuntime, false, [], [], []);

    public static readonly RuntimeProfile PrivilegedProfile = new("privileged", "weak: privileged containers; the tenant is close to root on the host", null, true, [], [], []);

    public static readonly RuntimeProfile Caps = new(
        "caps",
        "weak: all capabilities but CAP_SYS_RESOURCE, seccomp and AppArmor off",
        null,
        false,
        ["ALL"],
        ["SYS_RESOURCE"],
        ["seccomp=unconfined", "apparmor=unconfined", ContainerOperations.UnconfinedSystemPaths]);

    /// <summary>Whether a tenant who is root in a server may come close to root on the host (every profile but sysbox).</summary>
    public bool IsWeak => Runtime is null;

    /// <summary>The start-up line that says which profile is in force and what it means; a warning with the way out when weak.</summary>
    public string Notice() => IsWeak
        ? $"Isolation: {Name} ({Isolation}). Warning: this is the weakest kind of isolation; a tenant who escapes a virtual server is root on this host. "
            + "Install Sysbox on the host for user-namespaced servers (docs/operations/virtual-servers.md, \"Runtime profiles\")."
        : $"Isolation: {Name} ({Isolation}).";

    /// <summary>Picks the profile: the operator's choice, or the strongest the host supports.</summary>
    public static RuntimeProfile Resolve(string configured, IEnumerable<string> engineRuntimes, Func<bool> hostHasSysResource) =>
        configured.Trim().ToLowerInvariant() switch
        {
            "sysbox" => Sysbox,
            "privileged" => PrivilegedProfile,
            "caps" => Caps,
            "auto" or "" => engineRuntimes.Contains(SysboxRuntime) ? Sysbox : hostHasSysResource() ? PrivilegedProfile : Caps,
            _ => throw BerthException.Invalid("INVALID_RUNTIME_PROFILE", $"Runtime profile '{configured}' is not one of auto, sysbox, privileged, caps."),
        };

    /// <summary>
    /// Whether this process's capability bounding set holds CAP_SYS_RESOURCE, which <c>--privileged</c>
    /// needs (the engine is assumed local, as it is unless several nodes are configured).
    /// </summary>
    public static bool ProcessHasSysResource()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapBnd:", StringComparison.Ordinal));
            return line is not null
                && ulong.TryParse(line["CapBnd:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var caps)
                && (caps & (1UL << CapSysResource)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
