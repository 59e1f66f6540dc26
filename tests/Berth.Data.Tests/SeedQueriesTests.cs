using Berth.Core.Accounts;
using Berth.Core.Dashboard;
using Berth.Core.Domains;
using Berth.Core.Monitoring;
using Berth.Core.Servers;

namespace Berth.Data.Tests;

/// <summary>The seed's queries 4.1, 4.2 and 4.3 on data whose answers are known.</summary>
public abstract class SeedQueriesTests(ProviderKind kind) : DatabaseTestBase(kind)
{
    private async Task SeedAsync()
    {
        await using var db = Context();
        db.Users.AddRange(
            new User { Id = 1, Email = "admin@admin.com", Password = "h", Admin = true, Enabled = true, LastLogin = "2025-12-08 10:30:00" },
            new User { Id = 2, Email = "user@example.com", Password = "h", Admin = false, Enabled = true, LastLogin = "2025-12-07 15:45:00" },
            new User { Id = 3, Email = "idle@example.com", Password = "h", Admin = null, Enabled = false });
        db.VirtualServers.AddRange(
            Server(1, owner: 2, "My Web App", enabled: true),
            Server(2, owner: 2, "API Server", enabled: false),
            Server(3, owner: 2, "Gone", enabled: true, deleted: true),
            Server(4, owner: 1, "Admin box", enabled: true));
        db.DomainNames.AddRange(
            new DomainName { Id = 1, VirtualServerId = 1, Name = "myapp.example.com", Ssl = true },
            new DomainName { Id = 2, VirtualServerId = 1, Name = "api.example.com", IsCloudflare = true, Ssl = true },
            new DomainName { Id = 3, VirtualServerId = 2, Name = "demo.project.org" });
        db.DockerContainers.AddRange(
            Container("c1", 0, "hosting-users-dind-1", "running", "Up 2 hours"),
            Container("c2", 0, "hosting-users-dind-2", "exited", "Exited (0) 1 hour ago"),
            Container("c3", 0, "hosting-users-dind-3", "running", "Up 3 days"),
            Container("c9", 0, "berth-edge", "running", "Up 1 hour"),
            Container("d1", 1, "web-server", "running", "Up 1 hour"));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task UsersWithServerCounts_CountOnlyLiveServers()
    {
        await SeedAsync();
        await using var db = Context();

        var users = await UserListQuery.RunAsync(db, CancellationToken.None);

        Assert.Equal(
            [
                new UserSummary(1, "admin@admin.com", 1, true, true, "2025-12-08 10:30:00"),
                new UserSummary(2, "user@example.com", 2, false, true, "2025-12-07 15:45:00"),
                new UserSummary(3, "idle@example.com", 0, false, false, ""),
            ],
            users);
    }

    [Fact]
    public async Task ServersWithDomains_ComeFromHostContainers_WithoutDeletedOnes()
    {
        await SeedAsync();
        await using var db = Context();

        var servers = await ServerOverviewQuery.RunAsync(db, CancellationToken.None);

        Assert.Equal([1L, 2L], servers.Select(s => s.Id));
        var first = servers[0];
        Assert.Equal(("My Web App", "user@example.com", "running", "Up 2 hours", true), (first.Name, first.OwnerEmail, first.State, first.Status, first.Enabled));
        Assert.Equal(["myapp.example.com", "api.example.com"], first.Domains.Select(d => d.DomainName));
        Assert.True(first.Domains[1].IsCloudflare);
        Assert.Equal(["demo.project.org"], servers[1].Domains.Select(d => d.DomainName));
        Assert.Equal("exited", servers[1].State);
    }

    [Fact]
    public async Task DashboardFigures_MatchTheSeedQuery()
    {
        await SeedAsync();
        await using var db = Context();

        var figures = await DashboardFigures.RunAsync(db, CancellationToken.None);

        // 3 users; live servers 1, 2, 4 (HOST and the deleted one excluded); 1 and 4 enabled; 3 domains.
        Assert.Equal(new DashboardFigures(3, 2, 3, 3), figures);
    }

    private static VirtualServer Server(long id, long owner, string name, bool enabled, bool deleted = false) => new()
    {
        Id = id,
        OwnerId = owner,
        Name = name,
        Enabled = enabled,
        Deleted = deleted,
        CreatedAt = "2025-12-01 10:00:00",
        UpdatedAt = "2025-12-08 09:00:00",
    };

    internal static DockerContainer Container(string id, long parent, string names, string state, string status, string updatedAt = "2025-12-08 10:00:00") => new()
    {
        DockerId = id,
        ParentServerId = parent,
        Names = names,
        State = state,
        Status = status,
        Image = "hosting-dind",
        Command = "\"/entrypoint\"",
        CreatedAt = "2025-12-08 08:00:00 +0000 UTC",
        UpdatedAt = updatedAt,
    };
}

public sealed class SeedQueriesTests_Sqlite() : SeedQueriesTests(ProviderKind.Sqlite);

public sealed class SeedQueriesTests_PostgreSql() : SeedQueriesTests(ProviderKind.PostgreSql);
