using System.Diagnostics;
using System.Globalization;
using Berth.Core;
using Berth.Core.Monitoring;
using Berth.Docker;
using Berth.TestUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Primitives;

// The monitor against the test engine: delay from a container state change to its row, and the
// monitor's CPU time while idle with many engines. Engines beyond the host are simulated: each is
// another watch (own event stream, own sweeps) on the same host engine, writing its own rows.
var changes = Arg("--changes", 50);
var engines = Arg("--engines", 20);
var perEngine = Arg("--containers", 5);
var idleSeconds = Arg("--idle-seconds", 120);

using var docker = TestDocker.Connect(ResourceLabels.NewSessionId());
var busybox = await BusyboxImage.EnsureAsync(docker.Images, CancellationToken.None);
await using var database = await TestDatabase.CreateAsync(ProviderKind.Sqlite);
await database.Provider.PrepareAsync(CancellationToken.None);
await using (var db = database.CreateContext())
{
    await db.Database.MigrateAsync();
}

var services = new ServiceCollection();
services.AddLogging();
services.AddBerthCore(database.Provider);
services.AddBerthMonitoring(o => o.HostEndpoint = TestDocker.Endpoint);
services.AddSingleton<IMonitoredEngines>(new SimulatedEngines(engines, TestDocker.Endpoint));
await using var provider = services.BuildServiceProvider();
var sweep = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<MonitorOptions>>().Value.SweepInterval;
var hosted = provider.GetServices<IHostedService>().ToList();
try
{
    foreach (var service in hosted)
    {
        await service.StartAsync(CancellationToken.None);
    }

    // 1. Latency: start / kill one container repeatedly; time from the API call's return to the row.
    var id = await docker.Containers.CreateAsync(new ContainerSpec { Image = busybox, Command = ["sleep", "3600"] }, CancellationToken.None);
    await WaitForStateAsync(id, "created", TimeSpan.FromSeconds(30));
    var delays = new List<double>();
    for (var i = 0; i < changes; i++)
    {
        var running = i % 2 == 0;
        if (running)
        {
            await docker.Containers.StartAsync(id, CancellationToken.None);
        }
        else
        {
            await docker.Containers.StopAsync(id, TimeSpan.Zero, CancellationToken.None);
        }

        var changed = Stopwatch.GetTimestamp();
        await WaitForStateAsync(id, running ? "running" : "exited", TimeSpan.FromSeconds(30));
        delays.Add(Stopwatch.GetElapsedTime(changed).TotalMilliseconds);
    }

    delays.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"state change -> row: n={delays.Count} p50={Percentile(delays, 50):0} ms p95={Percentile(delays, 95):0} ms max={delays[^1]:0} ms"));

    // 2. Idle cost: (engines x containers) idle containers, (engines + 1) watches, one full sweep per engine per minute.
    for (var i = 0; i < engines * perEngine; i++)
    {
        var idle = await docker.Containers.CreateAsync(new ContainerSpec { Image = busybox, Command = ["sleep", "3600"] }, CancellationToken.None);
        await docker.Containers.StartAsync(idle, CancellationToken.None);
    }

    // Idle means settled: every watch has applied the creations (each simulated engine sees every container).
    await WaitForCountAsync((engines + 1) * engines * perEngine, TimeSpan.FromSeconds(300));
    using var self = Process.GetCurrentProcess();
    self.Refresh();
    var cpuBefore = self.TotalProcessorTime;
    var wallBefore = Stopwatch.GetTimestamp();
    await Task.Delay(TimeSpan.FromSeconds(idleSeconds));
    self.Refresh();
    var cpu = self.TotalProcessorTime - cpuBefore;
    var wall = Stopwatch.GetElapsedTime(wallBefore);
    await using (var db = database.CreateContext())
    {
        var rows = await db.DockerContainers.CountAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle: {engines + 1} engines watched, {rows} rows, sweep every {sweep.TotalSeconds:0} s, {wall.TotalSeconds:0} s: CPU {cpu.TotalMilliseconds:0} ms = {cpu.TotalMilliseconds / wall.TotalMinutes:0} ms per minute = {cpu.TotalMilliseconds / wall.TotalMilliseconds * 100:0.00}% of one core"));
    }
}
finally
{
    foreach (var service in hosted)
    {
        await service.StopAsync(CancellationToken.None);
    }

    await docker.ReapSessionAsync(CancellationToken.None);
}

async Task WaitForStateAsync(string containerId, string state, TimeSpan timeout)
{
    var shortId = containerId[..12];
    var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    while (true)
    {
        await using (var db = database.CreateContext())
        {
            if (await db.DockerContainers.AnyAsync(c => c.ParentServerId == 0 && c.DockerId == shortId && c.State == state))
            {
                return;
            }
        }

        if (Stopwatch.GetTimestamp() > deadline)
        {
            throw new TimeoutException($"{shortId} did not become {state} within {timeout}.");
        }

        await Task.Delay(5);
    }
}

async Task WaitForCountAsync(int count, TimeSpan timeout)
{
    var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    while (Stopwatch.GetTimestamp() < deadline)
    {
        await using var db = database.CreateContext();
        if (await db.DockerContainers.CountAsync(c => c.State == "running") >= count)
        {
            return;
        }

        await Task.Delay(200);
    }

    throw new TimeoutException($"Fewer than {count} running rows after {timeout}.");
}

static double Percentile(List<double> sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>Simulated virtual servers 1..n, each an engine watch on the host engine.</summary>
internal sealed class SimulatedEngines(int count, Uri endpoint) : IMonitoredEngines
{
    public IReadOnlyCollection<MonitoredEngine> GetEngines() =>
        [.. Enumerable.Range(1, count).Select(i => new MonitoredEngine(i, $"{endpoint} #{i}", () => DockerClientFactory.Create(endpoint), HostContainer: null))];

    public IChangeToken GetChangeToken() => new CancellationChangeToken(CancellationToken.None);
}
