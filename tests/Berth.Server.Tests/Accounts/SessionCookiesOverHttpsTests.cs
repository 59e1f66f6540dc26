using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Berth.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Berth.Server.Tests.Accounts;

/// <summary>
/// The panel served over HTTPS: its cookies are <c>__Host-</c> prefixed, so a tenant's page on a sibling name
/// of the same registrable domain (which can set a cookie for the parent domain, under the bare name) can
/// neither replace the session nor plant one of its choosing.
/// </summary>
public sealed class SessionCookiesOverHttpsTests
{
    [Fact]
    public async Task OverHttps_TheSessionCookieIsHostPrefixed_Secure_ForTheWholePanel_AndBoundToThisHost()
    {
        await using var host = await StartOverHttpsAsync();
        using var client = CreateClient(host);

        using var login = await LoginAsync(client, BerthTestHost.AdminEmail, BerthTestHost.AdminPassword);

        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.Contains("berth_session=", StringComparison.Ordinal));
        Assert.StartsWith("__Host-berth_session=", cookie, StringComparison.Ordinal);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/;", cookie + ";", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ACookieTossedForTheParentDomain_NeitherReplacesTheSession_NorSignsIn()
    {
        await using var host = await StartOverHttpsAsync();
        using var admin = CreateClient(host);
        var adminToken = TokenOf(await LoginAsync(admin, BerthTestHost.AdminEmail, BerthTestHost.AdminPassword));
        await CreateUserAsync(admin, adminToken, "mallory@example.com", "mallory-password-1");
        using var mallory = CreateClient(host);
        var malloryToken = TokenOf(await LoginAsync(mallory, "mallory@example.com", "mallory-password-1"));

        // Mallory's page on a sibling name sets her own session under the bare name for the parent domain:
        // the admin's browser now sends both cookies.
        Assert.Equal("admin@admin.com", await WhoAsync(admin, $"__Host-berth_session={adminToken}; berth_session={malloryToken}"));
        Assert.Equal("admin@admin.com", await WhoAsync(admin, $"berth_session={malloryToken}; __Host-berth_session={adminToken}"));
        // A browser with no session of its own is not signed in as Mallory (a fixed session would show her
        // files to a victim who then uploads into them).
        Assert.Null(await WhoAsync(admin, $"berth_session={malloryToken}"));
        // The prefixed cookie is the one that counts.
        Assert.Equal("mallory@example.com", await WhoAsync(admin, $"__Host-berth_session={malloryToken}"));
    }

    [Fact]
    public async Task SigningInWithAPlantedCookie_GivesANewSession_NotThePlantedOne()
    {
        await using var host = await StartOverHttpsAsync();
        using var client = CreateClient(host);
        var planted = TokenOf(await LoginAsync(client, BerthTestHost.AdminEmail, BerthTestHost.AdminPassword));

        using var again = await LoginAsync(client, BerthTestHost.AdminEmail, BerthTestHost.AdminPassword, $"__Host-berth_session={planted}");

        Assert.NotEqual(planted, TokenOf(again));
        Assert.Null(await WhoAsync(client, $"__Host-berth_session={planted}"));
    }

    private static async Task<BerthTestHost> StartOverHttpsAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = TimeProvider.System.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        // Kestrel needs the key in a form it can use from a store-less certificate: reload it from PKCS#12.
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        return await BerthTestHost.StartAsync(
            configure: settings => settings with { Urls = "https://127.0.0.1:0" },
            customize: builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate)));
    }

    /// <summary>A client that sends exactly the cookies a test names (no jar) and trusts the test's certificate.</summary>
    private static HttpClient CreateClient(BerthTestHost host) => new(new SocketsHttpHandler
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.Subject == "CN=127.0.0.1" },
    })
    { BaseAddress = host.BaseAddress };

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password, string? cookie = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { email, password }) };
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
            request.Headers.Add("X-Berth-Csrf", "1");
        }

        var response = await client.SendAsync(request);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return response;
    }

    private static string TokenOf(HttpResponseMessage login)
    {
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-berth_session=", StringComparison.Ordinal));
        return cookie["__Host-berth_session=".Length..cookie.IndexOf(';', StringComparison.Ordinal)];
    }

    private static async Task<string?> WhoAsync(HttpClient client, string cookies)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Add("Cookie", cookies);
        using var response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return null;
        }

        await response.AssertStatusAsync(HttpStatusCode.OK);
        return (await response.JsonAsync()).GetProperty("email").GetString();
    }

    private static async Task CreateUserAsync(HttpClient client, string adminToken, string email, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/users") { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add("Cookie", $"__Host-berth_session={adminToken}");
        request.Headers.Add("X-Berth-Csrf", "1");
        using var response = await client.SendAsync(request);
        await response.AssertStatusAsync(HttpStatusCode.Created);
    }
}
