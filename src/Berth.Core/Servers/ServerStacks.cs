using Berth.Core.Monitoring;

namespace Berth.Core.Servers;

/// <summary>One container inside a virtual server, as its container row shows it.</summary>
public sealed record StackContainer(string Id, string Name, string Image, string State, string Status);

/// <summary>
/// The containers of one Compose project inside a server (<see cref="Name"/> = the
/// <c>com.docker.compose.project</c> label), or, with <see cref="Name"/> null, every container
/// that carries no such label.
/// </summary>
public sealed record StackSummary(string? Name, IReadOnlyList<StackContainer> Containers);

/// <summary>Groups a server's inner container rows into stacks.</summary>
public static class ServerStacks
{
    public const string ComposeProjectLabel = "com.docker.compose.project";

    /// <summary>Named stacks by name, then the stack-less group (when there is one) last; containers by name.</summary>
    public static IReadOnlyList<StackSummary> From(IEnumerable<DockerContainer> innerRows) =>
        innerRows
            .GroupBy(c => LabelValue(c.Labels, ComposeProjectLabel))
            .OrderBy(g => g.Key is null).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new StackSummary(
                g.Key,
                g.OrderBy(c => c.Names, StringComparer.Ordinal).ThenBy(c => c.DockerId, StringComparer.Ordinal)
                    .Select(c => new StackContainer(c.DockerId, c.Names, c.Image, c.State, c.Status))
                    .ToList()))
            .ToList();

    /// <summary>
    /// A label's value in the row's <c>Labels</c> column (<c>docker ps</c> format: <c>key=value</c>
    /// pairs joined by commas, sorted by key); null when absent or empty.
    /// </summary>
    public static string? LabelValue(string labels, string key)
    {
        foreach (var pair in labels.Split(','))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && pair.AsSpan(0, equals).SequenceEqual(key))
            {
                var value = pair[(equals + 1)..];
                return value.Length > 0 ? value : null;
            }
        }

        return null;
    }
}
