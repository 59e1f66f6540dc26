using System.Reflection;

namespace Berth.Server.Tests.Infrastructure;

/// <summary>Every test class whose fixture creates servers runs in the <see cref="SharedEngine"/> collection.</summary>
public sealed class SharedEngineMembershipTests
{
    [Fact]
    public void EveryClassWithAServerCreatingFixture_IsInTheSharedEngineCollection()
    {
        var outside = typeof(SharedEngine).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && UsesServerCreatingFixture(t))
            .Where(t => t.GetCustomAttribute<CollectionAttribute>() is null || !InSharedEngine(t))
            .Select(t => t.FullName)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Empty(outside);
    }

    [Fact]
    public void TheServerFixtures_AreMarked()
    {
        // The rule above is only as good as the marker: the fixtures known to start servers carry it.
        Type[] fixtures =
        [
            typeof(Servers.ServersFixture), typeof(Edge.EdgeFixture), typeof(Stacks.StacksFixture), typeof(Terminal.TerminalFixture),
            typeof(Monitoring.MonitoringFixture), typeof(Forwards.ForwardsFixture),
        ];
        Assert.All(fixtures, f => Assert.True(typeof(ICreatesServers).IsAssignableFrom(f), f.Name));
    }

    private static bool UsesServerCreatingFixture(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType
            && i.GetGenericTypeDefinition() == typeof(IClassFixture<>)
            && typeof(ICreatesServers).IsAssignableFrom(i.GetGenericArguments()[0]));

    private static bool InSharedEngine(Type type) =>
        type.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(CollectionAttribute))
            .Any(a => a.ConstructorArguments.Any(c => Equals(c.Value, SharedEngine.Name)));
}
