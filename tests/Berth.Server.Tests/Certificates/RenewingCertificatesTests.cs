using Berth.Proxy;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Certificates;

/// <summary>
/// Renewal against a Pebble that issues 40-second certificates, so that a third of the lifetime
/// remains after about 27 seconds: the renewed certificate replaces the old one in the edge, and a
/// renewal that fails keeps the old one and says why.
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class RenewingCertificatesTests : IAsyncLifetime
{
    private CertificateHost _berth = null!;

    public async Task InitializeAsync() => _berth = await CertificateHost.StartAsync(TestCa.ShortLived);

    public async Task DisposeAsync() => await _berth.DisposeAsync();

    [Fact]
    public async Task ACertificate_IsReplacedOnceAThirdOfItsLifetimeRemains()
    {
        const string name = "renewed.admin.test";
        var id = await _berth.Admin.AddDomainAsync(CertificateHost.ServerId, name, ssl: true);
        var first = await _berth.Admin.WaitForStatusAsync(CertificateHost.ServerId, id, "issued");
        var firstExpiry = first.GetProperty("expiresAt").GetDateTimeOffset();
        var cache = _berth.Host.Services.GetRequiredService<EdgeCertificateCache>();
        var firstSerial = cache.SelectCertificate(name)!.SerialNumber;
        using (var presented = await TestCa.HandshakeAsync(_berth.EdgeHttps, name))
        {
            Assert.Equal(firstSerial, presented!.SerialNumber);
        }

        var renewed = await _berth.Admin.WaitForCertificateAsync(
            CertificateHost.ServerId, id, c => c.GetProperty("status").GetString() == "issued" && c.GetProperty("expiresAt").GetDateTimeOffset() > firstExpiry, seconds: 60);

        Assert.Equal(System.Text.Json.JsonValueKind.Null, renewed.GetProperty("lastError").ValueKind);
        var secondSerial = cache.SelectCertificate(name)!.SerialNumber;
        Assert.NotEqual(firstSerial, secondSerial);
        using (var presented = await TestCa.HandshakeAsync(_berth.EdgeHttps, name))
        {
            Assert.Equal(secondSerial, presented!.SerialNumber);
        }

        var row = await _berth.Host.Services.StoredCertificateAsync(name);
        Assert.Equal(0, row!.Attempts);
    }

    [Fact]
    public async Task AFailedRenewal_KeepsServingTheOldCertificate_AndRecordsTheReason()
    {
        const string name = "stale.admin.test";
        try
        {
            var id = await _berth.Admin.AddDomainAsync(CertificateHost.ServerId, name, ssl: true);
            await _berth.Admin.WaitForStatusAsync(CertificateHost.ServerId, id, "issued");
            var cache = _berth.Host.Services.GetRequiredService<EdgeCertificateCache>();

            // From now on Pebble looks for the name where nothing listens: the renewal's validation fails.
            await TestCa.PointNameAtAsync(name, "127.0.0.9");
            var failed = await _berth.Admin.WaitForStatusAsync(CertificateHost.ServerId, id, "failed", seconds: 60);

            // The certificate kept is the one served after the failure: with 40-second certificates on a
            // loaded machine, a renewal validated just before the name moved may still have finished after it
            // (it did once, between reading the served certificate and the stored one); none can after a failure.
            var serial = cache.SelectCertificate(name)!.SerialNumber;
            var kept = await _berth.Admin.CertificateOfAsync(CertificateHost.ServerId, id);
            Assert.Contains("urn:ietf:params:acme:error:", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
            Assert.Equal(kept.GetProperty("expiresAt").GetDateTimeOffset(), failed.GetProperty("expiresAt").GetDateTimeOffset());
            using var presented = await TestCa.HandshakeAsync(_berth.EdgeHttps, name);
            Assert.Equal(serial, presented!.SerialNumber);
            var row = await _berth.Host.Services.StoredCertificateAsync(name);
            Assert.True(row!.Attempts >= 1);
            Assert.NotNull(row.NextAttemptAt);
        }
        finally
        {
            await TestCa.ResetNameAsync(name);
        }
    }
}
