using Berth.Proxy;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Certificates;

/// <summary>
/// Against a Pebble that rejects half of the nonces (PEBBLE_WFE_NONCEREJECT=50): issuance still
/// succeeds through the retries, and a restarted Berth serves the stored certificate without ordering again.
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class SurvivingRestartsAndBadNoncesTests : IAsyncLifetime
{
    private CertificateHost _berth = null!;

    public async Task InitializeAsync() => _berth = await CertificateHost.StartAsync(TestCa.NonceRejecting);

    public async Task DisposeAsync() => await _berth.DisposeAsync();

    [Fact]
    public async Task RejectedNonces_AreRetried_AndTheCertificateIsIssued()
    {
        const string name = "nonces.admin.test";
        var id = await _berth.Admin.AddDomainAsync(CertificateHost.ServerId, name, ssl: true);

        var issued = await _berth.Admin.WaitForStatusAsync(CertificateHost.ServerId, id, "issued");

        Assert.Equal(System.Text.Json.JsonValueKind.Null, issued.GetProperty("lastError").ValueKind);
        using var presented = await TestCa.HandshakeAsync(_berth.EdgeHttps, name);
        using var root = await TestCa.NonceRejecting.GetIssuingRootAsync();
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        var stored = await _berth.Host.Services.StoredCertificateAsync(name);
        chain.ChainPolicy.ExtraStore.ImportFromPem(stored!.CertificateChain);
        Assert.True(chain.Build(presented!), "the presented certificate does not chain to Pebble's root");
    }

    [Fact]
    public async Task ARestartedBerth_ServesTheStoredCertificate_WithoutANewOrder()
    {
        const string name = "restart.admin.test";
        var id = await _berth.Admin.AddDomainAsync(CertificateHost.ServerId, name, ssl: true);
        await _berth.Admin.WaitForStatusAsync(CertificateHost.ServerId, id, "issued");
        var before = await _berth.Host.Services.StoredCertificateAsync(name);
        string serial;
        using (var presented = await TestCa.HandshakeAsync(_berth.EdgeHttps, name))
        {
            serial = presented!.SerialNumber;
        }

        await _berth.RestartAsync();

        var cache = _berth.Host.Services.GetRequiredService<EdgeCertificateCache>();
        Assert.True(await CertificateSteps.EventuallyAsync(() => Task.FromResult(cache.Contains(name)), seconds: 5), "the stored certificate was not loaded");
        Assert.Equal(serial, cache.SelectCertificate(name)!.SerialNumber);
        using (var presented = await TestCa.HandshakeAsync(_berth.EdgeHttps, name))
        {
            Assert.Equal(serial, presented!.SerialNumber);
        }

        var certificate = await _berth.Admin.CertificateOfAsync(CertificateHost.ServerId, id);
        Assert.Equal("issued", certificate.GetProperty("status").GetString());
        var after = await _berth.Host.Services.StoredCertificateAsync(name);
        Assert.Equal(before!.CertificateChain, after!.CertificateChain);
        Assert.Equal(before.ExpiresAt, after.ExpiresAt);
    }
}
