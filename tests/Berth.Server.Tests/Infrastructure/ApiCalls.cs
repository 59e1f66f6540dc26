using System.Net;
using System.Net.Http.Json;

namespace Berth.Server.Tests.Infrastructure;

/// <summary>Steps many scenarios share, done through the public API.</summary>
public static class ApiCalls
{
    /// <summary>Creates a user as the signed-in admin and returns its id.</summary>
    public static async Task<long> CreateUserAsync(this HttpClient admin, string email, string password, bool isAdmin = false)
    {
        var response = await admin.PostAsJsonAsync("/api/users", new { email, password, admin = isAdmin });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create {email}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.JsonAsync()).GetProperty("id").GetInt64();
    }

    /// <summary>Generates a registration code as the signed-in admin.</summary>
    public static async Task<string> GenerateCodeAsync(this HttpClient admin)
    {
        var response = await admin.PostAsync("/api/registration-code", null);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"generate code: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.JsonAsync()).GetProperty("code").GetString()!;
    }
}
