using System.Net;
using System.Net.Http.Json;
using Berth.Core.Certificates;
using Berth.Core.Data;
using Berth.Proxy;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Certificates;

/// <summary>
/// A tenant's domain with <c>ssl=1</c> gets a certificate from a real ACME CA (Pebble) through HTTP-01
/// answered by the edge, and the real virtual server's page is served over HTTPS.
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class SecuringADomainWithACertificateTests(CertificatesFixture fixture) : IClassFixture<CertificatesFixture>
{
    [Fact]
    public async Task ASecureDomain_GoesFromNoneToPendingToIssued_AndServesThePageOverHttps()
    {
        const string name = "secure.alice.test";
        var id = await fixture.Alice.AddDomainAsync(fixture.AliceServer, name, ssl: false);
        Assert.Equal("none", (await fixture.Alice.CertificateOfAsync(fixture.AliceServer, id)).GetProperty("status").GetString());

        var edited = await fixture.Alice.PutAsJsonAsync($"/api/servers/{fixture.AliceServer}/domains/{id}", new { ssl = true });
        var pending = (await edited.JsonAsync()).GetProperty("certificate");
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, pending.GetProperty("expiresAt").ValueKind);

        var issued = await fixture.Alice.WaitForStatusAsync(fixture.AliceServer, id, "issued");
        Assert.True(issued.GetProperty("expiresAt").GetDateTimeOffset() > TimeProvider.System.GetUtcNow().AddDays(1));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, issued.GetProperty("lastError").ValueKind);

        // A client that trusts only Pebble's root, checking the whole chain the edge sends.
        using var root = await fixture.Ca.GetIssuingRootAsync();
        using var https = TestCa.HttpsClient(root, fixture.EdgeHttps);
        var page = await https.GetStringAsync(new Uri($"https://{name}:{fixture.EdgeHttps.Port}/"));
        Assert.Contains("alice's page", page, StringComparison.Ordinal);

        using var client = fixture.Host.CreateClient();
        var health = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/health");
        Assert.True(health.GetProperty("edge").GetProperty("certificates").GetInt32() >= 1);
    }

    [Fact]
    public async Task OnceIssued_HttpRedirectsToHttps_ExceptAcmeChallenges()
    {
        const string name = "moved.alice.test";
        var id = await fixture.Alice.AddDomainAsync(fixture.AliceServer, name, ssl: true);
        await fixture.Alice.WaitForStatusAsync(fixture.AliceServer, id, "issued");

        HttpResponseMessage? response = null;
        Assert.True(
            await CertificateSteps.EventuallyAsync(async () =>
            {
                response = await fixture.GetThroughEdgeAsync(name);
                return response.StatusCode == HttpStatusCode.PermanentRedirect;
            }),
            $"HTTP answered {(int?)response?.StatusCode} instead of redirecting");
        // The test's HTTPS listener asks for port 0, so the redirect names the standard port.
        Assert.Equal(new Uri($"https://{name}/"), response!.Headers.Location);

        using var client = Edge.EdgeFixture.EdgeClient();
        using var challenge = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.EdgeHttp, "/.well-known/acme-challenge/unknown-token"));
        challenge.Headers.Host = name;
        var answer = await client.SendAsync(challenge);
        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Null(answer.Headers.Location);
    }

    [Fact]
    public async Task StoredKeys_AreNotPlainPem()
    {
        const string name = "keys.bob.test";
        var id = await fixture.Bob.AddDomainAsync(fixture.BobServer, name, ssl: true);
        await fixture.Bob.WaitForStatusAsync(fixture.BobServer, id, "issued");

        var row = await fixture.Host.Services.StoredCertificateAsync(name);
        Assert.NotNull(row);
        Assert.Contains("BEGIN CERTIFICATE", row.CertificateChain, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", row.PrivateKey, StringComparison.Ordinal);
        Assert.DoesNotContain("MII", row.PrivateKey, StringComparison.Ordinal);

        AcmeAccountRecord account;
        await using (var db = await fixture.Host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContextAsync())
        {
            account = await db.AcmeAccounts.SingleAsync();
        }

        Assert.Equal(fixture.Ca.Directory.AbsoluteUri, account.Directory);
        Assert.StartsWith("https://127.0.0.1:", account.AccountUrl, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", account.AccountKey, StringComparison.Ordinal);

        // What is stored is the key, protected: Berth's key ring opens it.
        var keys = fixture.Host.Services.GetRequiredService<PrivateKeyProtector>();
        Assert.Contains("BEGIN PRIVATE KEY", keys.Unprotect(row.PrivateKey!), StringComparison.Ordinal);
        Assert.Contains("BEGIN PRIVATE KEY", keys.Unprotect(account.AccountKey), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletingADomain_DropsItsCertificateFromTheEdge()
    {
        const string name = "gone.bob.test";
        var id = await fixture.Bob.AddDomainAsync(fixture.BobServer, name, ssl: true);
        await fixture.Bob.WaitForStatusAsync(fixture.BobServer, id, "issued");
        using (var presented = await TestCa.HandshakeAsync(fixture.EdgeHttps, name))
        {
            Assert.NotNull(presented);
            Assert.Contains(name, presented.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, false), StringComparison.Ordinal);
        }

        var deleted = await fixture.Bob.DeleteAsync($"/api/servers/{fixture.BobServer}/domains/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        var cache = fixture.Host.Services.GetRequiredService<EdgeCertificateCache>();
        Assert.True(await CertificateSteps.EventuallyAsync(() => Task.FromResult(!cache.Contains(name))), "the certificate stayed in the edge");
        Assert.Null(await TestCa.HandshakeAsync(fixture.EdgeHttps, name));
        Assert.Null(await fixture.Host.Services.StoredCertificateAsync(name));
    }

    [Fact]
    public async Task ACloudflareDomain_KeepsTheSelfSignedOriginCertificate()
    {
        const string name = "origin.bob.test";
        var id = await fixture.Bob.AddDomainAsync(fixture.BobServer, name, ssl: true, isCloudflare: true);
        Assert.Equal("none", (await fixture.Bob.CertificateOfAsync(fixture.BobServer, id)).GetProperty("status").GetString());

        System.Security.Cryptography.X509Certificates.X509Certificate2? presented = null;
        Assert.True(await CertificateSteps.EventuallyAsync(async () => (presented = await TestCa.HandshakeAsync(fixture.EdgeHttps, name)) is not null));
        using (presented)
        {
            Assert.Equal(presented!.Subject, presented.Issuer);
        }

        Assert.Null(await fixture.Host.Services.StoredCertificateAsync(name));
    }

    [Fact]
    public async Task AValidationFailure_ShowsFailedWithTheReason_AndALaterRetrySucceeds()
    {
        const string name = "unreachable.alice.test";
        // Pebble will look for the name at an address where nothing listens.
        await TestCa.PointNameAtAsync(name, "127.0.0.9");
        try
        {
            var id = await fixture.Alice.AddDomainAsync(fixture.AliceServer, name, ssl: true);
            var failed = await fixture.Alice.WaitForStatusAsync(fixture.AliceServer, id, "failed");
            var reason = failed.GetProperty("lastError").GetString();
            Assert.Contains("urn:ietf:params:acme:error:", reason, StringComparison.Ordinal);
            Assert.Contains(name, reason, StringComparison.Ordinal);
            Assert.Null(await TestCa.HandshakeAsync(fixture.EdgeHttps, name));

            await TestCa.ResetNameAsync(name);
            var issued = await fixture.Alice.WaitForStatusAsync(fixture.AliceServer, id, "issued");
            Assert.Equal(System.Text.Json.JsonValueKind.Null, issued.GetProperty("lastError").ValueKind);
        }
        finally
        {
            await TestCa.ResetNameAsync(name);
        }
    }
}
