using System.Net;
using Berth.Docker.Tls;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Docker.Tests;

public sealed class TlsMaterialTests
{
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void IsValid_ServerCertificateFromTheAuthorityForTheName_Accepted()
    {
        using var authority = TlsAuthority.Create("Test CA", Year, _time);
        var server = authority.IssueServer("server7", Year, addresses: [IPAddress.Parse("10.0.0.7")]);

        using var certificate = server.ToPublicCertificate();
        using var pin = authority.Credential.ToPublicCertificate();
        Assert.True(EngineCertificateValidation.IsValid(certificate, pin, "server7", _time));
    }

    [Fact]
    public void IsValid_CertificateFromAnotherAuthority_Rejected()
    {
        using var authority = TlsAuthority.Create("Test CA", Year, _time);
        using var impostor = TlsAuthority.Create("Test CA", Year, _time);
        var forged = impostor.IssueServer("server7", Year);

        using var certificate = forged.ToPublicCertificate();
        using var pin = authority.Credential.ToPublicCertificate();
        Assert.False(EngineCertificateValidation.IsValid(certificate, pin, "server7", _time));
    }

    [Fact]
    public void IsValid_CertificateForAnotherName_Rejected()
    {
        using var authority = TlsAuthority.Create("Test CA", Year, _time);
        var other = authority.IssueServer("server8", Year);

        using var certificate = other.ToPublicCertificate();
        using var pin = authority.Credential.ToPublicCertificate();
        Assert.False(EngineCertificateValidation.IsValid(certificate, pin, "server7", _time));
    }

    [Fact]
    public void IsValid_ClientCertificatePresentedAsServer_Rejected()
    {
        using var authority = TlsAuthority.Create("Test CA", Year, _time);
        var client = authority.IssueClient("server7", Year);

        using var certificate = client.ToPublicCertificate();
        using var pin = authority.Credential.ToPublicCertificate();
        Assert.False(EngineCertificateValidation.IsValid(certificate, pin, "server7", _time));
    }

    [Fact]
    public void IsValid_AfterExpiry_Rejected()
    {
        using var authority = TlsAuthority.Create("Test CA", Year, _time);
        var server = authority.IssueServer("server7", TimeSpan.FromDays(30));
        _time.Advance(TimeSpan.FromDays(31));

        using var certificate = server.ToPublicCertificate();
        using var pin = authority.Credential.ToPublicCertificate();
        Assert.False(EngineCertificateValidation.IsValid(certificate, pin, "server7", _time));
    }

    [Fact]
    public void Load_AuthorityFromPem_IssuesCertificatesTheOriginalPinAccepts()
    {
        using var original = TlsAuthority.Create("Test CA", Year, _time);
        using var reloaded = TlsAuthority.Load(original.Credential, _time);
        var server = reloaded.IssueServer("server9", Year);

        Assert.Contains("-----BEGIN CERTIFICATE-----", server.CertificatePem, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", server.PrivateKeyPem, StringComparison.Ordinal);
        using var withKey = server.ToCertificate();
        Assert.True(withKey.HasPrivateKey);
        using var certificate = server.ToPublicCertificate();
        using var pin = original.Credential.ToPublicCertificate();
        Assert.True(EngineCertificateValidation.IsValid(certificate, pin, "server9", _time));
    }

    [Fact]
    public void ToString_NeverShowsTheKey()
    {
        using var authority = TlsAuthority.Create("Test CA", Year, _time);
        Assert.DoesNotContain("PRIVATE KEY", authority.IssueClient("platform", Year).ToString(), StringComparison.Ordinal);
    }
}
