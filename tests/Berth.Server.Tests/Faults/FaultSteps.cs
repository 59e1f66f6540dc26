using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Berth.Server.Tests.Faults;

/// <summary>Steps the fault scenarios share.</summary>
internal static class FaultSteps
{
    /// <summary>A client signed in as the first administrator of <paramref name="berth"/>, sending the CSRF header.</summary>
    public static async Task<HttpClient> SignInAsync(BerthProcess berth)
    {
        var client = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = berth.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Berth-Csrf", "1");
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email = BerthTestHost.AdminEmail, password = BerthTestHost.AdminPassword });
        await login.AssertStatusAsync(HttpStatusCode.OK);
        return client;
    }

    /// <summary>Creates a user as the administrator; fails the test unless it is a 201.</summary>
    public static async Task CreateUserAsync(HttpClient admin, string email)
    {
        using var response = await admin.PostAsJsonAsync("/api/users", new { email, password = "fault-password-1" });
        await response.AssertStatusAsync(HttpStatusCode.Created);
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on at the moment of asking.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SQLite's own check of a database file: "ok" when intact.</summary>
    public static async Task<string?> IntegrityCheckAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string?)await command.ExecuteScalarAsync();
    }

    public sealed record UserRow(long Id, string Email);
}
