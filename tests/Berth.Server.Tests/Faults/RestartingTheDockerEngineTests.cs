using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core.Data;
using Berth.Core.Servers;
using Berth.Core.Servers.Image;
using Berth.Server.Tests.Infrastructure;
using Berth.Server.Tests.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Berth.Server.Tests.Faults;

/// <summary>
/// The Docker engine restarted under running servers (SIGTERM, as a package upgrade or a service manager
/// does, then started again on the same data root). With live-restore off it stops every container on the
/// way down. Within <see cref="Convergence"/> (120 s) of the engine answering again, every server answers
/// as running again, in the same container (nothing re-created), its inner engine answers over mutual TLS,
/// and the monitor holds exactly one row for its container and no adopted rows. The engine is a private one
/// (<see cref="PrivateDockerEngine"/>): the run's engine is shared by tests running side by side.
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class RestartingTheDockerEngineTests(ITestOutputHelper output)
{
    /// <summary>The stated bound: the monitor's reconnect backoff (at most 30 s) and the reconciler's pass (every 30 s), with room for 2 loaded cores.</summary>
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task AfterAnEngineRestart_RunningServersRunAgainInTheirOwnContainers_AndTheMonitorConverges_Within120Seconds()
    {
        _ = TestDocker.Endpoint;
        await using var engine = await PrivateDockerEngine.StartAsync();
        using (var shared = TestDocker.Connect())
        using (var own = engine.Connect())
        {
            await VirtualServerImageForTests.EnsureAsync(shared);
            await shared.Images.CopyToAsync(VirtualServerImage.Reference, own.Images, CancellationToken.None);
        }

        // The host firewall is off: its rules are the host's, untouched by an engine restart, and tested on their own.
        await using var host = await BerthTestHost.StartAsync(configure: s => s with { DockerHost = engine.Endpoint, HostFirewall = false }, monitorHostEngine: true);
        using var admin = await host.LoginAsync();
        var servers = new[] { await ServersFixture.CreateRunningServerAsync(admin, "engine restart 1"), await ServersFixture.CreateRunningServerAsync(admin, "engine restart 2") };
        var containers = host.Services.GetRequiredService<ServerContainers>();
        var before = new Dictionary<long, string>();
        foreach (var id in servers)
        {
            before[id] = (await containers.FindAsync(id, CancellationToken.None))!.Id;
        }

        var serverRows = await CountServerRowsAsync(host);

        await engine.StopAsync();
        await engine.StartDaemonAsync();
        var restarted = TimeProvider.System.GetTimestamp();

        var last = await Poll.UntilAsync(() => ConvergenceAsync(host, admin, before), problems => problems.Count == 0, Convergence, TimeSpan.FromSeconds(1));
        output.WriteLine($"converged in {TimeProvider.System.GetElapsedTime(restarted).TotalSeconds:0.0} s after the engine answered again");
        Assert.True(last.Count == 0, $"not converged within {Convergence.TotalSeconds:0} s: {string.Join("; ", last)}");
        Assert.Equal(serverRows, await CountServerRowsAsync(host));
    }

    /// <summary>What still differs from a converged state (empty when converged).</summary>
    private static async Task<List<string>> ConvergenceAsync(BerthTestHost host, HttpClient admin, Dictionary<long, string> before)
    {
        var problems = new List<string>();
        var containers = host.Services.GetRequiredService<ServerContainers>();
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContextAsync();
        foreach (var (id, containerId) in before)
        {
            using var answer = await admin.GetAsync($"/api/servers/{id}");
            var state = answer.IsSuccessStatusCode ? (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString() : $"HTTP {(int)answer.StatusCode}";
            if (state != "running")
            {
                problems.Add($"server {id} answers {state}");
            }

            var container = await containers.FindAsync(id, CancellationToken.None);
            if (container?.Id != containerId || container.State != "running")
            {
                problems.Add($"server {id}: container {container?.Id ?? "missing"} {container?.State}, was {containerId}");
            }

            var name = ServerContainers.ContainerName(id);
            var rows = await db.DockerContainers.AsNoTracking().Where(c => c.ParentServerId == VirtualServer.HostId && c.Names == name).ToListAsync();
            if (rows is not [{ State: "running" } row] || !containerId.StartsWith(row.DockerId, StringComparison.Ordinal))
            {
                problems.Add($"server {id}: monitor rows {string.Join(", ", rows.Select(r => $"{r.DockerId} {r.State}"))}");
            }

            if (!await InnerEngineAnswersAsync(containers, id))
            {
                problems.Add($"server {id}: its inner engine does not answer");
            }
        }

        var hostRows = await db.DockerContainers.AsNoTracking().Where(c => c.ParentServerId == VirtualServer.HostId).Select(c => c.Names).ToListAsync();
        if (hostRows.Count != hostRows.Distinct(StringComparer.Ordinal).Count())
        {
            problems.Add($"duplicate monitor rows: {string.Join(", ", hostRows)}");
        }

        return problems;
    }

    private static async Task<bool> InnerEngineAnswersAsync(ServerContainers containers, long id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            using var inner = await containers.ConnectInnerAsync(id, timeout.Token);
            if (inner is null)
            {
                return false;
            }

            await inner.System.PingAsync(timeout.Token);
            return true;
        }
        catch (Exception e) when (Berth.Docker.DockerEngine.IsEngineFailure(e) || e is OperationCanceledException or AggregateException)
        {
            return false;
        }
    }

    private static async Task<int> CountServerRowsAsync(BerthTestHost host)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContextAsync();
        return await db.VirtualServers.CountAsync();
    }
}
