using System.Net;
using Berth.Server.Cli;
using Berth.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Berth.Server.Tests.Infrastructure;

/// <summary>
/// Berth as <c>berth serve</c> runs it (same composition root, same start-up), on real Kestrel
/// at 127.0.0.1 with a free port, over its own database.
/// </summary>
public sealed class BerthTestHost : IAsyncDisposable
{
    public const string AdminEmail = "admin@admin.com";
    public const string AdminPassword = "first-admin-password";

    private readonly WebApplication _app;
    private readonly TestDatabase _database;

    private BerthTestHost(WebApplication app, TestDatabase database, string startupOutput)
    {
        _app = app;
        _database = database;
        StartupOutput = startupOutput;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseAddress = new Uri(addresses.Addresses.First());
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public TestDatabase Database => _database;

    /// <summary>What start-up printed (the one-time admin password when none was given).</summary>
    public string StartupOutput { get; }

    public static async Task<BerthTestHost> StartAsync(
        ProviderKind kind = ProviderKind.Sqlite,
        string? adminPassword = AdminPassword,
        Action<WebApplicationBuilder>? customize = null)
    {
        var database = await TestDatabase.CreateAsync(kind);
        var common = new BerthSettings(
            database.DataRoot,
            kind == ProviderKind.PostgreSql ? DatabaseKind.PostgreSql : DatabaseKind.Sqlite,
            database.ConnectionString);
        var settings = new ServeSettings(common, "http://127.0.0.1:0", adminPassword);
        var app = BerthWebApp.Build(settings, builder =>
        {
            builder.Logging.ClearProviders();
            customize?.Invoke(builder);
        });
        var output = new StringWriter();
        await ServeCommand.StartAsync(app, settings, output, CancellationToken.None);
        return new BerthTestHost(app, database, output.ToString());
    }

    /// <summary>A client with its own cookie jar, like one browser.</summary>
    public HttpClient CreateClient()
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true };
        return new HttpClient(handler) { BaseAddress = BaseAddress };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }
}
