using System.Security.Cryptography.X509Certificates;
using Berth.Proxy.Lane;
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

public sealed class LaneRequestHeadTests
{
    [Fact]
    public void PlainHead_IsTranslated_HostFirst_ClientsForwardingHeadersReplaced()
    {
        var head = "GET /p?q=1 HTTP/1.1\r\nUser-Agent: t\r\nHost: a.test:8080\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\nX-Forwarded-For: 203.0.113.9\r\nAccept: */*\r\n\r\n"u8;
        var buffer = new byte[LaneRequestHead.TranslatedSize(head.Length + 9)];

        var ok = LaneRequestHead.TryTranslate(head, 100, "127.0.0.1"u8, buffer, out var host, out var isHead, out var close, out var length);

        Assert.True(ok);
        Assert.Equal("a.test:8080", System.Text.Encoding.ASCII.GetString(host));
        Assert.False(isHead);
        Assert.False(close);
        Assert.Equal(
            "GET /p?q=1 HTTP/1.1\r\nHost: a.test:8080\r\nUser-Agent: t\r\nAccept: */*\r\n"
            + "X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: a.test:8080\r\n\r\n",
            System.Text.Encoding.ASCII.GetString(buffer, 0, length));
    }

    [Theory]
    [InlineData("HEAD / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n", true, true)]
    [InlineData("GET / HTTP/1.1\r\nhost: A.TEST.\r\n\r\n", false, false)]
    public void HeadAndClose_AreRecognised(string head, bool isHead, bool close)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(head);
        var buffer = new byte[LaneRequestHead.TranslatedSize(bytes.Length)];

        Assert.True(LaneRequestHead.TryTranslate(bytes, 100, default, buffer, out _, out var seenHead, out var seenClose, out var length));
        Assert.Equal((isHead, close), (seenHead, seenClose));
        Assert.DoesNotContain("Connection", System.Text.Encoding.ASCII.GetString(buffer, 0, length), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\nHost: a.test\r\n\r\n")]
    [InlineData("GET / HTTP/1.0\r\nHost: a.test\r\n\r\n")]
    [InlineData("GET http://a.test/ HTTP/1.1\r\nHost: a.test\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nHost: a.test\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test:70000\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nUpgrade: h2c\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive, Upgrade\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\n Folded: x\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nX-Bad: caf\u00e9\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\nX-Bad\r\n\r\n")]
    [InlineData("GET /\u0001 HTTP/1.1\r\nHost: a.test\r\n\r\n")]
    public void AnythingElse_IsNotTheLanes(string head)
    {
        var bytes = System.Text.Encoding.Latin1.GetBytes(head);
        var buffer = new byte[LaneRequestHead.TranslatedSize(bytes.Length)];

        Assert.False(LaneRequestHead.TryTranslate(bytes, 100, default, buffer, out _, out _, out _, out _));
    }

    [Fact]
    public void MoreHeadersThanTheLimit_AreNotTheLanes()
    {
        var head = System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a.test\r\nA: 1\r\nB: 2\r\n\r\n");
        var buffer = new byte[LaneRequestHead.TranslatedSize(head.Length)];

        Assert.True(LaneRequestHead.TryTranslate(head, 3, default, buffer, out _, out _, out _, out _));
        Assert.False(LaneRequestHead.TryTranslate(head, 2, default, buffer, out _, out _, out _, out _));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n", 32)]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\n", 0)]
    [InlineData("GET / HTTP/1.1\r\nHost: a.test\r\n\r\nGET", 32)]
    public void EndOfHead_IsFound(string data, int expected) =>
        Assert.Equal(expected, LaneRequestHead.FindEnd(System.Text.Encoding.ASCII.GetBytes(data), 8192));

    [Fact]
    public void HeadLongerThanTheLimit_IsNotTheLanes()
    {
        var data = System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a.test\r\nX: " + new string('x', 100) + "\r\n\r\n");

        Assert.Equal(-1, LaneRequestHead.FindEnd(data, 64));
        Assert.Equal(-1, LaneRequestHead.FindEnd(data.AsSpan(0, 70), 64));
    }
}
