using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Berth.Acme.Tests.Infrastructure;

/// <summary>
/// The Pebble that scripts/services/pebble.sh started, plus the HTTP-01 responder it validates
/// against: Kestrel on 127.0.0.1:BERTH_TEST_ACME_HTTP_PORT answering from <see cref="Challenges"/>.
/// One per test run; tests that use it share the collection so the port has one owner.
/// </summary>
public sealed class PebbleFixture : IAsyncLifetime
{
    private WebApplication? _responder;

    public Uri Directory { get; } = new(RequiredService.Get("BERTH_TEST_ACME_DIRECTORY", "Pebble (an ACME test server)"));

    public Uri NonceRejectingDirectory { get; } = new(RequiredService.Get("BERTH_TEST_ACME_NONCE_REJECT_DIRECTORY", "Pebble rejecting nonces"));

    public Uri Management { get; } = new(RequiredService.Get("BERTH_TEST_ACME_MANAGEMENT", "Pebble's management interface"));

    public int HttpPort { get; } = int.Parse(RequiredService.Get("BERTH_TEST_ACME_HTTP_PORT", "Pebble's HTTP-01 port"), System.Globalization.CultureInfo.InvariantCulture);

    public X509Certificate2 ListenerRoot { get; } = AcmeTrust.LoadRoot(RequiredService.Get("BERTH_TEST_ACME_TRUST_ROOT", "Pebble's listener CA"));

    public InMemoryHttp01ChallengeStore Challenges { get; } = new();

    /// <summary>How many challenge requests the responder answered, to prove Pebble came.</summary>
    public int ChallengeRequests => Volatile.Read(ref _challengeRequests);

    private int _challengeRequests;

    /// <summary>An HTTP client that trusts Pebble's listener; dispose it after use.</summary>
    public HttpClient CreateHttpClient() => new(AcmeTrust.CreateHandler(ListenerRoot)) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The root that Pebble issues certificates under (it changes on every Pebble start).</summary>
    public async Task<X509Certificate2> GetIssuingRootAsync()
    {
        using var http = CreateHttpClient();
        var pem = await http.GetStringAsync(new Uri(Management, "/roots/0"));
        return X509Certificate2.CreateFromPem(pem);
    }

    public static string UniqueName() => $"t{Guid.NewGuid():N}.example.com";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, HttpPort));
        var app = builder.Build();
        app.MapGet(InMemoryHttp01ChallengeStore.PathPrefix + "{token}", (string token) =>
        {
            Interlocked.Increment(ref _challengeRequests);
            return Challenges.TryGetKeyAuthorization(token, out var answer)
                ? Results.Text(answer, "text/plain")
                : Results.NotFound();
        });
        await app.StartAsync();
        _responder = app;
    }

    public async Task DisposeAsync()
    {
        if (_responder is not null)
        {
            await _responder.DisposeAsync();
        }

        ListenerRoot.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class UsesPebble : ICollectionFixture<PebbleFixture>
{
    public const string Name = "Pebble";
}
