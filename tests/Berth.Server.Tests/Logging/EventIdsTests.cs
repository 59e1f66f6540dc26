using System.Reflection;
using Berth.Acme;
using Berth.Core.Servers;
using Berth.Docker;
using Berth.Proxy;
using Berth.Server.Hosting;
using Microsoft.Extensions.Logging;

namespace Berth.Server.Tests.Logging;

/// <summary>
/// Every log event of Berth has an id of its own, inside the range of its area (the table in
/// docs/operations/logging.md): an operator filtering on an id sees one message, never two. Event ids
/// 3000–3007 were once used by both the monitor and the server reconciler.
/// </summary>
public sealed class EventIdsTests
{
    /// <summary>The areas by namespace; the longest matching namespace decides. Keep in step with docs/operations/logging.md.</summary>
    public static readonly (string Namespace, int First, int Last)[] Areas =
    [
        ("Berth.Server.Hosting", 1000, 1099),
        ("Berth.Core.Hosting", 1100, 1199),
        ("Berth.Acme", 2000, 2099),
        ("Berth.Core.Monitoring", 3000, 3099),
        ("Berth.Core.Domains", 3100, 3199),
        ("Berth.Core.Servers", 3200, 3299),
        ("Berth.Core.Certificates", 3300, 3399),
        ("Berth.Core.Terminal", 3400, 3499),
        ("Berth.Core.Files", 3500, 3599),
        ("Berth.Core.Forwards", 3600, 3699),
        ("Berth.Core.Stacks", 3700, 3799),
        ("Berth.Server.Ssh", 3800, 3899),
        ("Berth.Core.Servers.Network", 4100, 4199),
        ("Berth.Proxy", 6000, 6099),
        ("Berth.Server.Edge", 6100, 6199),
    ];

    private static readonly Assembly[] Assemblies =
    [
        typeof(BerthWebApp).Assembly, typeof(ServersService).Assembly, typeof(AcmeClient).Assembly, typeof(EdgeOptions).Assembly, typeof(DockerEngine).Assembly,
    ];

    [Fact]
    public void EveryLogEvent_HasAnIdOfItsOwn()
    {
        var events = LogEvents();
        Assert.NotEmpty(events);

        var shared = events.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}").ToList();
        Assert.True(shared.Count == 0, "event ids used twice: " + string.Join("; ", shared));
    }

    [Fact]
    public void EveryLogEvent_IsInTheRangeOfItsArea()
    {
        var outside = LogEvents()
            .Select(e => (Event: e, Area: Areas.Where(a => e.Namespace == a.Namespace || e.Namespace.StartsWith(a.Namespace + ".", StringComparison.Ordinal)).MaxBy(a => a.Namespace.Length)))
            .Where(x => x.Area.Namespace is null || x.Event.Id < x.Area.First || x.Event.Id > x.Area.Last)
            .Select(x => x.Area.Namespace is null ? $"{x.Event.Name} ({x.Event.Id}): no area for {x.Event.Namespace}" : $"{x.Event.Name} ({x.Event.Id}): outside {x.Area.First}–{x.Area.Last}")
            .ToList();

        Assert.True(outside.Count == 0, string.Join("; ", outside));
    }

    [Fact]
    public void TheAreas_DoNotOverlap()
    {
        var sorted = Areas.OrderBy(a => a.First).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            Assert.True(sorted[i].First > sorted[i - 1].Last, $"{sorted[i - 1].Namespace} and {sorted[i].Namespace} overlap");
        }
    }

    private static List<(int Id, string Name, string Namespace)> LogEvents() =>
        [.. Assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
                .Where(x => x.Attribute is not null)
                .Select(x => (x.Attribute!.EventId, $"{t.Name}.{x.Method.Name}", t.Namespace ?? "")))];
}
