using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Accounts;

/// <summary>The acceptance journey, end to end on a fresh data root.</summary>
public sealed class AccountsAcceptanceTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task FreshInstall_AdminInvitesAlice_AliceSignsInAndOut(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind, adminPassword: null);
        var line = host.StartupOutput.Split('\n').Single(l => l.Contains("password:", StringComparison.Ordinal));
        var printedPassword = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();

        using var admin = await host.LoginAsync("admin@admin.com", printedPassword);
        var code = await admin.GenerateCodeAsync();

        using var visitor = host.CreateApiClient();
        await (await visitor.PostAsJsonAsync("/api/auth/register", new { code, email = "alice@example.com", password = "alice-password" }))
            .AssertStatusAsync(HttpStatusCode.Created);
        using var alice = await host.LoginAsync("alice@example.com", "alice-password");

        await (await alice.GetAsync("/api/users")).AssertProblemAsync(HttpStatusCode.Forbidden, "FORBIDDEN");
        await (await alice.PostAsync("/api/auth/logout", null)).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await alice.GetAsync("/api/me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");

        var dashboard = await (await admin.GetAsync("/api/dashboard")).JsonAsync();
        Assert.Equal(2, dashboard.GetProperty("users").GetInt32());

        var activity = await (await admin.GetAsync("/api/activity")).JsonAsync();
        var messages = activity.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("message").GetString()).ToList();
        Assert.Contains("User admin@admin.com logged in (IP: 127.0.0.1)", messages);
        Assert.Contains("User alice@example.com registered with a code (IP: 127.0.0.1)", messages);
        Assert.Contains("User alice@example.com logged in (IP: 127.0.0.1)", messages);
    }

    [Fact]
    public async Task EveryAccountsEndpoint_IsInTheOpenApiDocument()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var client = host.CreateApiClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");

        (string Path, string Method, string OperationId)[] expected =
        [
            ("/api/auth/login", "post", "Login"), ("/api/auth/logout", "post", "Logout"), ("/api/auth/register", "post", "Register"),
            ("/api/me", "get", "GetMe"), ("/api/me/password", "post", "ChangeMyPassword"), ("/api/me/activity", "get", "GetMyActivity"),
            ("/api/users", "get", "ListUsers"), ("/api/users", "post", "CreateUser"), ("/api/users/{id}", "get", "GetUser"),
            ("/api/users/{id}", "patch", "UpdateUser"), ("/api/users/{id}", "delete", "DeleteUser"),
            ("/api/registration-code", "get", "GetRegistrationCode"), ("/api/registration-code", "post", "GenerateRegistrationCode"),
            ("/api/registration-code", "delete", "RevokeRegistrationCode"), ("/api/activity", "get", "ListActivity"), ("/api/dashboard", "get", "GetDashboard"),
        ];
        foreach (var (path, method, operationId) in expected)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is documented");
            Assert.True(item.TryGetProperty(method, out var operation), $"{method} {path} is documented");
            Assert.Equal(operationId, operation.GetProperty("operationId").GetString());
        }
    }
}
