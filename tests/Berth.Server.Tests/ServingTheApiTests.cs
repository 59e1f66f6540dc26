using System.Net;
using System.Text.Json;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Berth.Server.Tests;

/// <summary>berth serve: health, OpenAPI, docs and problem details, on both database providers.</summary>
public sealed class ServingTheApiTests
{
    [Theory]
    [InlineData(ProviderKind.Sqlite)]
    [InlineData(ProviderKind.PostgreSql)]
    public async Task Health_ReportsDatabaseAndSchema(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var client = host.CreateClient();

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        var database = body.RootElement.GetProperty("database");
        Assert.Equal(kind == ProviderKind.Sqlite ? "sqlite" : "postgresql", database.GetProperty("provider").GetString());
        Assert.Equal("ok", database.GetProperty("status").GetString());
        await using var db = host.Database.CreateContext();
        Assert.Equal(db.Database.GetMigrations().Last(), database.GetProperty("schemaVersion").GetString());
    }

    [Fact]
    public async Task OpenApiDocument_AndDocsPage_AreServed()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var client = host.CreateClient();

        var openApi = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        using var document = JsonDocument.Parse(await openApi.Content.ReadAsStringAsync());
        Assert.True(document.RootElement.GetProperty("paths").TryGetProperty("/health", out _));

        var docs = await client.GetAsync("/docs");
        if (docs.StatusCode == HttpStatusCode.Found)
        {
            docs = await client.GetAsync(docs.Headers.Location);
        }

        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("scalar", await docs.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UnknownRoute_IsAProblemWithACode()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var client = host.CreateClient();

        var response = await client.GetAsync("/api/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("NOT_FOUND", body.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task FirstStart_WithoutPassword_PrintsAOneTimeAdminPassword_OnlyOnce()
    {
        await using var host = await BerthTestHost.StartAsync(adminPassword: null);

        Assert.Contains("admin@admin.com", host.StartupOutput);
        var line = host.StartupOutput.Split('\n').Single(l => l.Contains("password:", StringComparison.Ordinal));
        var password = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        Assert.True(password.Length >= 16, "the generated password is long");

        await using var db = host.Database.CreateContext();
        var admin = Assert.Single(db.Users);
        Assert.True(Core.Accounts.PasswordHasher.Verify(password, admin.Password));
        Assert.True(admin.IsAdmin);
    }
}
