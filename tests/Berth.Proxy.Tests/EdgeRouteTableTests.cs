using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Proxy.Tests;

public sealed class EdgeRouteTableTests
{
    private readonly EdgeRouteTable _table = new(NullLogger<EdgeRouteTable>.Instance, TimeProvider.System);

    [Fact]
    public void Apply_DuplicateHostInAnyCase_Throws() =>
        Assert.Throws<ArgumentException>(() => _table.Apply(
            [new EdgeRoute("a.test", new Uri("http://127.0.0.1/")), new EdgeRoute("A.TEST", new Uri("http://127.0.0.1/"))]));

    [Fact]
    public void Apply_RelativeOrNonHttpDestination_Throws()
    {
        Assert.Throws<ArgumentException>(() => _table.Apply([new EdgeRoute("a.test", new Uri("/x", UriKind.Relative))]));
        Assert.Throws<ArgumentException>(() => _table.Apply([new EdgeRoute("a.test", new Uri("ftp://127.0.0.1/"))]));
    }

    [Fact]
    public void TryFind_MatchesAnyCaseAndPort_AndFailedApplyKeepsTheOldSnapshot()
    {
        _table.Apply([new EdgeRoute("Shop.Example.org", new Uri("http://10.0.0.5:80"))]);
        Assert.ThrowsAny<ArgumentException>(() => _table.Apply([new EdgeRoute("", new Uri("http://127.0.0.1/"))]));

        Assert.True(_table.TryFind("SHOP.example.ORG:443", out var route));
        Assert.Equal(new Uri("http://10.0.0.5/"), route.Destination);
        Assert.False(_table.TryFind("example.org", out _));
    }
}
