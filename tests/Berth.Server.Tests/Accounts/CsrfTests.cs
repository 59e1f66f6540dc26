using System.Net;
using System.Net.Http.Json;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Berth.Server.Tests.Accounts;

/// <summary>A cookie-carrying state change without <c>X-Berth-Csrf: 1</c> is what a cross-site form would send.</summary>
public sealed class CsrfTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task CookieAuthenticatedChanges_WithoutTheHeader_AreRefused_AndChangeNothing(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var bobId = await admin.CreateUserAsync("bob@example.com", "bobs-password");
        admin.DefaultRequestHeaders.Remove("X-Berth-Csrf");

        await (await admin.PostAsJsonAsync("/api/users", new { email = "evil@example.com", password = "evil-password", admin = true }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "CSRF_REQUIRED");
        await (await admin.PatchAsJsonAsync($"/api/users/{bobId}", new { admin = true }))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "CSRF_REQUIRED");
        await (await admin.DeleteAsync($"/api/users/{bobId}")).AssertProblemAsync(HttpStatusCode.Forbidden, "CSRF_REQUIRED");
        await (await admin.PostAsync("/api/registration-code", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "CSRF_REQUIRED");
        await (await admin.PostAsync("/api/auth/logout", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "CSRF_REQUIRED");
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/users");
        await (await admin.SendAsync(put)).AssertProblemAsync(HttpStatusCode.Forbidden, "CSRF_REQUIRED");

        using var wrongValue = new HttpRequestMessage(HttpMethod.Post, "/api/registration-code");
        wrongValue.Headers.Add("X-Berth-Csrf", "yes");
        await (await admin.SendAsync(wrongValue)).AssertProblemAsync(HttpStatusCode.Forbidden, "CSRF_REQUIRED");

        // Reads need no header, and the session is still alive.
        await (await admin.GetAsync("/api/users")).AssertStatusAsync(HttpStatusCode.OK);
        await using var db = host.Database.CreateContext();
        Assert.False(await db.Users.AnyAsync(u => u.Email == "evil@example.com"));
        Assert.False((await db.Users.SingleAsync(u => u.Id == bobId)).IsAdmin);
        Assert.Empty(await db.RegistrationCodes.ToListAsync());

        admin.DefaultRequestHeaders.Add("X-Berth-Csrf", "1");
        await (await admin.PostAsync("/api/registration-code", null)).AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task RequestsWithoutASessionCookie_NeedNoHeader()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var browser = host.CreateApiClient(csrfHeader: false);

        (await browser.PostAsJsonAsync("/api/auth/login", new { email = BerthTestHost.AdminEmail, password = BerthTestHost.AdminPassword })).EnsureSuccessStatusCode();

        await (await browser.PostAsync("/api/auth/logout", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "CSRF_REQUIRED");
    }
}
