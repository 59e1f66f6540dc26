using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Proxy.Tests;

public sealed class HostNameTests
{
    [Theory]
    [InlineData("a.test", "a.test")]
    [InlineData("a.test:8080", "a.test")]
    [InlineData("a.test.", "a.test")]
    [InlineData("a.test.:80", "a.test")]
    [InlineData("[::1]:80", "[::1]")]
    [InlineData("", "")]
    public void FromHeader_StripsPortAndTrailingDot(string header, string expected) =>
        Assert.Equal(expected, HostName.FromHeader(header).ToString());
}

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

public sealed class EdgeCertificateCacheTests
{
    private readonly EdgeCertificateCache _cache = new();

    [Fact]
    public void SelectCertificate_ExactThenWildcardThenFallback()
    {
        var exact = OriginCertificate.CreateSelfSigned(["shop.apps.test"], TimeProvider.System);
        var wildcard = OriginCertificate.CreateSelfSigned(["*.apps.test"], TimeProvider.System);
        var fallback = OriginCertificate.CreateSelfSigned(["fallback.test"], TimeProvider.System);
        _cache.Set("shop.apps.test", exact);
        _cache.Set("*.apps.test", wildcard);

        Assert.Same(exact, _cache.SelectCertificate("SHOP.apps.test"));
        Assert.Same(wildcard, _cache.SelectCertificate("blog.apps.test"));
        Assert.Null(_cache.SelectCertificate("deep.blog.apps.test"));
        Assert.Null(_cache.SelectCertificate(null));
        _cache.FallbackCertificate = fallback;
        Assert.Same(fallback, _cache.SelectCertificate("other.test"));
        Assert.True(_cache.Remove("shop.apps.test"));
        Assert.Same(wildcard, _cache.SelectCertificate("shop.apps.test"));
    }

    [Fact]
    public void RemoveIfCurrent_LeavesACertificateAnotherOwnerPutInPlace()
    {
        var acme = OriginCertificate.CreateSelfSigned(["shop.test"], TimeProvider.System);
        var origin = OriginCertificate.CreateSelfSigned(["shop.test"], TimeProvider.System);
        _cache.Set("shop.test", acme);
        _cache.Set("shop.test", origin);

        Assert.False(_cache.Remove("shop.test", acme));
        Assert.True(_cache.Contains("SHOP.test"));
        Assert.Same(origin, _cache.SelectCertificate("shop.test"));
        Assert.NotNull(_cache.SelectContext("shop.test"));
        Assert.True(_cache.Remove("shop.test", origin));
        Assert.False(_cache.Contains("shop.test"));
        Assert.Null(_cache.SelectContext("shop.test"));
    }

    [Fact]
    public void Set_CertificateWithoutPrivateKey_Throws()
    {
        using var withKey = OriginCertificate.CreateSelfSigned(["a.test"], TimeProvider.System);
        using var publicOnly = X509CertificateLoader.LoadCertificate(withKey.Export(X509ContentType.Cert));

        Assert.Throws<ArgumentException>(() => _cache.Set("a.test", publicOnly));
    }
}

public sealed class OriginCertificateTests
{
    [Fact]
    public void CreateSelfSigned_NamesEveryHost_HasAKey_AndIsValidNow()
    {
        var now = TimeProvider.System.GetUtcNow();

        using var certificate = OriginCertificate.CreateSelfSigned(["Shop.Example.org", "www.shop.example.org"], TimeProvider.System);

        Assert.True(certificate.HasPrivateKey);
        Assert.Equal("CN=shop.example.org", certificate.Subject);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToArray();
        Assert.Equal(["shop.example.org", "www.shop.example.org"], names);
        Assert.True(certificate.NotBefore.ToUniversalTime() <= now.UtcDateTime);
        Assert.True(certificate.NotAfter.ToUniversalTime() > now.AddYears(9).UtcDateTime);
    }
}
