using System.Security.Cryptography.X509Certificates;

namespace Berth.Proxy.Tests;

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
