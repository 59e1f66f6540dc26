using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using Berth.Acme.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Berth.Acme.Tests;

[Collection(UsesPebble.Name)]
public sealed class IssuingCertificatesFromPebbleTests(PebbleFixture pebble, ITestOutputHelper output) : IDisposable
{
    private const int BadNonceRetryEvent = 2001;
    private readonly HttpClient _http = pebble.CreateHttpClient();
    private readonly AcmeAccountKey _key = AcmeAccountKey.Generate();

    [Fact]
    public async Task CreatingAnAccount_ThenFindingIt_ReturnsTheSameAccount()
    {
        var client = new AcmeClient(_http, pebble.Directory, _key);
        Assert.Null(await client.FindAccountAsync());

        var created = await client.CreateAccountAsync(["mailto:ops@example.com"], termsOfServiceAgreed: true);
        Assert.Equal("valid", created.Status);
        Assert.Equal(["mailto:ops@example.com"], created.Contact);
        Assert.Equal(created.Location, client.AccountUrl);

        var again = new AcmeClient(_http, pebble.Directory, AcmeAccountKey.FromPem(_key.ExportPem()));
        var found = await again.FindAccountAsync();
        Assert.NotNull(found);
        Assert.Equal(created.Location, found.Location);
    }

    [Fact]
    public async Task IssuingForAName_AnswersHttp01_AndReturnsAChainTrustedByPebblesRoot()
    {
        var client = new AcmeClient(_http, pebble.Directory, _key);
        await client.CreateAccountAsync([], termsOfServiceAgreed: true);
        var name = PebbleFixture.UniqueName();
        var challengesBefore = pebble.ChallengeRequests;

        var clock = Stopwatch.StartNew();
        var issued = await client.IssueCertificateAsync([name], pebble.Challenges);
        clock.Stop();
        output.WriteLine($"Issuance against Pebble took {clock.ElapsedMilliseconds} ms");

        Assert.True(pebble.ChallengeRequests > challengesBefore, "Pebble never fetched the HTTP-01 answer");
        Assert.False(pebble.Challenges.TryGetKeyAuthorization("any", out _));
        Assert.Equal([name], issued.DnsNames);
        Assert.True(issued.NotAfter > issued.NotBefore);
        Assert.Equal(CertificateRenewal.RenewAt(issued.NotBefore, issued.NotAfter), issued.RenewAt);

        using var root = await pebble.GetIssuingRootAsync();
        var presented = new X509Certificate2Collection();
        presented.ImportFromPem(issued.ChainPem);
        Assert.True(presented.Count >= 2, "the download should hold the certificate and its issuer");
        using var withKey = X509Certificate2.CreateFromPem(issued.ChainPem, issued.PrivateKeyPem);
        Assert.True(withKey.HasPrivateKey);
        Assert.True(withKey.MatchesHostname(name));

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ExtraStore.AddRange(presented);
        Assert.True(chain.Build(withKey), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(root.Thumbprint, chain.ChainElements[^1].Certificate.Thumbprint);
        foreach (var certificate in presented)
        {
            certificate.Dispose();
        }
    }

    [Fact]
    public async Task AWrongChallengeAnswer_FailsWithTheServersErrorTypeAndDetail()
    {
        var client = new AcmeClient(_http, pebble.Directory, _key);
        await client.CreateAccountAsync([], termsOfServiceAgreed: true);
        var name = PebbleFixture.UniqueName();

        var failure = await Assert.ThrowsAsync<AcmeException>(() => client.IssueCertificateAsync([name], new WrongAnswers(pebble.Challenges)));

        output.WriteLine($"{failure.ErrorType}: {failure.Detail}");
        Assert.Equal(AcmeErrorTypes.Unauthorized, failure.ErrorType);
        Assert.False(string.IsNullOrWhiteSpace(failure.Detail));
        Assert.Equal(name, failure.Identifier);
    }

    [Fact]
    public async Task ARejectedCachedNonce_IsRetriedWithAFreshOne()
    {
        var logger = new RecordingLogger();
        var client = new AcmeClient(_http, pebble.Directory, _key, logger: logger);
        await client.CreateAccountAsync([], termsOfServiceAgreed: true);

        client.Transport.CachedNonce = "bm90LWEtbm9uY2UtcGViYmxlLWlzc3VlZA";
        var found = await client.FindAccountAsync();

        Assert.Equal(client.AccountUrl, found?.Location);
        Assert.Equal(1, logger.Count(BadNonceRetryEvent));
    }

    [Fact]
    public async Task AServerRejectingHalfTheNonces_StillServesEveryRequest()
    {
        var logger = new RecordingLogger();
        var options = new AcmeClientOptions { BadNonceRetries = 30 };
        var client = new AcmeClient(_http, pebble.NonceRejectingDirectory, _key, options, logger: logger);
        await client.CreateAccountAsync([], termsOfServiceAgreed: true);

        // Half of all nonces are refused, so a few requests are enough to see retries.
        for (var i = 0; i < 30 && logger.Count(BadNonceRetryEvent) < 3; i++)
        {
            Assert.NotNull(await client.FindAccountAsync());
        }

        Assert.True(logger.Count(BadNonceRetryEvent) >= 3);
    }

    [Fact]
    public async Task RunningOutOfBadNonceRetries_SurfacesBadNonce()
    {
        var client = new AcmeClient(_http, pebble.Directory, _key, new AcmeClientOptions { BadNonceRetries = 0 });
        await client.CreateAccountAsync([], termsOfServiceAgreed: true);

        client.Transport.CachedNonce = "bm90LWEtbm9uY2UtcGViYmxlLWlzc3VlZA";
        var failure = await Assert.ThrowsAsync<AcmeException>(() => client.FindAccountAsync());

        Assert.Equal(AcmeErrorTypes.BadNonce, failure.ErrorType);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, failure.StatusCode);
    }

    [Fact]
    public async Task IssuingWithoutAnAccount_SaysSo()
    {
        var client = new AcmeClient(_http, pebble.Directory, _key);

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.IssueCertificateAsync([PebbleFixture.UniqueName()], pebble.Challenges));
    }

    public void Dispose()
    {
        _http.Dispose();
        _key.Dispose();
    }

    /// <summary>Publishes a key authorization that does not match, as a misconfigured edge would.</summary>
    private sealed class WrongAnswers(IHttp01ChallengeStore inner) : IHttp01ChallengeStore
    {
        public ValueTask PublishAsync(string token, string keyAuthorization, CancellationToken cancellationToken) =>
            inner.PublishAsync(token, keyAuthorization + "-wrong", cancellationToken);

        public ValueTask RemoveAsync(string token, CancellationToken cancellationToken) => inner.RemoveAsync(token, cancellationToken);
    }
}
