using Berth.Core.Data;
using Berth.Core.Servers;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.BrowserTests.Infrastructure;

/// <summary>
/// One Berth on real Kestrel (and the run's Docker engine when there is one) and the system
/// Chromium. Server ids of this host start high, in a range of their own, so its containers
/// (<c>hosting-users-dind-&lt;id&gt;</c>) never meet those of the HTTP scenario tests, which may
/// use the same engine at the same time.
/// </summary>
public class PanelFixture : IAsyncLifetime
{
    public BerthTestHost Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseAddress => Host.BaseAddress;

    public virtual async Task InitializeAsync()
    {
        Browser = await Chromium.LaunchAsync();
        Host = await BerthTestHost.StartAsync(configure: Configure);
        var contexts = Host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        var first = 700_000 + Random.Shared.Next(0, 100) * 1_000;
        db.VirtualServers.Add(new VirtualServer { Id = first, OwnerId = 1, Name = "id range start", Enabled = false, Deleted = true, CreatedAt = "", UpdatedAt = "" });
        await db.SaveChangesAsync();
    }

    public virtual async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Changes the settings of the Berth this fixture starts.</summary>
    protected virtual Berth.Server.Hosting.ServeSettings Configure(Berth.Server.Hosting.ServeSettings settings) => settings;

    /// <summary>
    /// A server's rows without a container (as after an adoption): enough for pages that list and
    /// edit, with no engine. Its state shows as missing or unknown.
    /// </summary>
    public async Task<long> AddServerRowAsync(long ownerId, string name)
    {
        var contexts = Host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        var id = await db.VirtualServers.MaxAsync(s => s.Id) + 1;
        db.VirtualServers.Add(new VirtualServer { Id = id, OwnerId = ownerId, Name = name, CreatedAt = "2026-01-01 00:00:00", UpdatedAt = "2026-01-01 00:00:00" });
        db.ServerSettings.Add(new ServerSettings { ServerId = id, Provisioning = ProvisioningState.Ready, UpdatedAt = "2026-01-01 00:00:00" });
        await db.SaveChangesAsync();
        return id;
    }

    /// <summary>Adds a user through the application service, as an admin would.</summary>
    public async Task<long> CreateUserAsync(string email, string password, bool admin = false)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<Core.Accounts.AccountsService>().CreateUserAsync(email, password, admin, actorId: 1, CancellationToken.None);
        return user.Id;
    }
}

/// <summary>The panel fixture with the run's Docker engine required and the virtual-server image built.</summary>
public sealed class EnginePanelFixture : PanelFixture
{
    public override async Task InitializeAsync()
    {
        _ = TestDocker.Endpoint;
        using (var engine = TestDocker.Connect())
        {
            await VirtualServerImageForTests.EnsureAsync(engine);
        }

        await base.InitializeAsync();
    }
}
