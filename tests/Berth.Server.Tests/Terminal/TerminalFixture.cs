using Berth.Core.Data;
using Berth.Server.Tests.Infrastructure;
using Berth.Server.Tests.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Terminal;

/// <summary>
/// Like <see cref="ServersFixture"/> (one Berth on the run's engine, an admin, Alice and Bob), plus one
/// running server of Alice's that most terminal tests share. Server numbers start at a random offset:
/// containers are named by number on the shared engine, where other test runs may hold the low ones.
/// </summary>
public class TerminalFixture : IAsyncLifetime, ICreatesServers
{
    public BerthTestHost Host { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Alice { get; private set; } = null!;

    public HttpClient Bob { get; private set; } = null!;

    public long AliceServer { get; private set; }

    /// <summary>Changes to the host before it starts (a subclass may give the terminals another clock).</summary>
    protected virtual Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? Customize => null;

    public async Task InitializeAsync()
    {
        _ = TestDocker.Endpoint;
        using (var engine = TestDocker.Connect())
        {
            await Berth.TestUtilities.VirtualServerImageForTests.EnsureAsync(engine);
        }

        Host = await BerthTestHost.StartAsync(customize: Customize);
        using (var scope = Host.Services.CreateScope())
        {
            // A deleted row above which new servers are numbered (IDs are never reused).
            var offset = Random.Shared.Next(30, 60) * 10_000L;
            await scope.ServiceProvider.GetRequiredService<BerthDbContext>().Database.ExecuteSqlRawAsync(
                "INSERT INTO Hosting_VirtualServers (ID, OwnerID, Name, Enabled, Deleted, CreatedAt, UpdatedAt) VALUES ({0}, 0, 'numbering offset', 0, 1, '', '')", offset);
        }

        Admin = await Host.LoginAsync();
        await Admin.CreateUserAsync("alice@example.com", ServersFixture.AlicePassword);
        await Admin.CreateUserAsync("bob@example.com", ServersFixture.BobPassword);
        Alice = await Host.LoginAsync("alice@example.com", ServersFixture.AlicePassword);
        Bob = await Host.LoginAsync("bob@example.com", ServersFixture.BobPassword);
        AliceServer = await ServersFixture.CreateRunningServerAsync(Alice, "terminal box");
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        Alice.Dispose();
        Bob.Dispose();
        await Host.DisposeAsync();
    }
}
