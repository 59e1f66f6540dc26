using Berth.Core.Data;
using Berth.Core.Servers;
using Berth.Server.Edge;
using Berth.Server.Hosting;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Certificates;

/// <summary>
/// A Berth whose edge listens where Pebble validates, with one stopped server of the admin's to
/// attach domains to: certificates need a domain of a server that is not deleted, not a running one.
/// </summary>
public sealed class CertificateHost : IAsyncDisposable
{
    public const long ServerId = 900;

    private CertificateHost(BerthTestHost host, HttpClient admin)
    {
        Host = host;
        Admin = admin;
    }

    public BerthTestHost Host { get; private set; }

    /// <summary>The admin, signed in; owner of <see cref="ServerId"/>.</summary>
    public HttpClient Admin { get; private set; }

    public Uri EdgeHttps => Host.Services.GetRequiredService<EdgeRuntime>().Host!.HttpsAddresses[0];

    public static async Task<CertificateHost> StartAsync(TestCa ca, Func<ServeSettings, ServeSettings>? adjust = null)
    {
        var host = await BerthTestHost.StartAsync(configure: settings => (adjust ?? (s => s))(ca.Configure(settings)));
        var contexts = host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var admin = await db.Users.SingleAsync(u => u.Email == BerthTestHost.AdminEmail);
            var now = SeedTime.Now(TimeProvider.System);
            db.VirtualServers.Add(new VirtualServer { Id = ServerId, OwnerId = admin.Id, Name = "certificates", Enabled = false, CreatedAt = now, UpdatedAt = now });
            await db.SaveChangesAsync();
        }

        return new CertificateHost(host, await host.LoginAsync());
    }

    /// <summary>Stops Berth and starts it again on the same database and data root.</summary>
    public async Task RestartAsync()
    {
        Admin.Dispose();
        Host = await Host.RestartAsync();
        Admin = await Host.LoginAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Host.DisposeAsync();
    }
}
