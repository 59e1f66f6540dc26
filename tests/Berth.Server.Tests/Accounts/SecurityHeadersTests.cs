using System.Net.Http.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Accounts;

public sealed class SecurityHeadersTests
{
    [Fact]
    public async Task EveryResponse_CarriesTheHardeningHeaders_ErrorsIncluded()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var client = host.CreateApiClient();

        var responses = new[]
        {
            await client.GetAsync("/health"),
            await client.GetAsync("/api/me"),
            await client.GetAsync("/api/no-such-thing"),
            await client.PostAsJsonAsync("/api/auth/login", new { email = "x@example.com", password = "wrong-password" }),
            await client.PostAsync("/api/auth/login", new StringContent("{", System.Text.Encoding.UTF8, "application/json")),
        };

        foreach (var response in responses)
        {
            var what = $"{response.RequestMessage!.RequestUri} -> {(int)response.StatusCode}";
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff), what);
            Assert.Equal("nosniff", Assert.Single(nosniff));
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.Contains("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), "HSTS is only sent over HTTPS");
            Assert.False(response.Headers.Contains("Server"), what);
        }

        Assert.Equal("default-src 'none'; frame-ancestors 'none'", Assert.Single(responses[1].Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-store", responses[1].Headers.CacheControl?.ToString());
    }
}
