using System.Security.Cryptography.X509Certificates;

namespace Berth.Proxy.Tests;

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
