using System.Globalization;

namespace Berth.Server.Components.Pages.Servers.Stacks;

/// <summary>Reads the monitor's ports column (as <c>docker ps</c> writes it) of a stack's container.</summary>
internal static class StackPorts
{
    /// <summary>
    /// The server's ports a container publishes over TCP, each once ("0.0.0.0:8080->80/tcp,
    /// [::]:8080->80/tcp, 443/tcp" gives 8080): what a domain can point at.
    /// </summary>
    public static IReadOnlyList<int> Published(string ports) =>
        [.. ports.Split(", ", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split("->"))
            .Where(p => p.Length == 2 && p[1].EndsWith("/tcp", StringComparison.Ordinal))
            .Select(p => int.TryParse(p[0][(p[0].LastIndexOf(':') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : 0)
            .Where(p => p is > 0 and <= 65535)
            .Distinct()];
}
