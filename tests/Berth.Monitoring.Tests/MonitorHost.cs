using Berth.Core;
using Berth.Core.Data;
using Berth.Core.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Monitoring.Tests;

/// <summary>
/// The monitoring services as the server composes them (AddBerthCore + AddBerthMonitoring) on a
/// fresh database, watching the test engine; hosted services started and stopped like a host does.
/// </summary>
public sealed class MonitorHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<IHostedService> _started = [];

    private MonitorHost(TestDatabase database, ServiceProvider services)
    {
        Database = database;
        _services = services;
    }

    public TestDatabase Database { get; }

    public InnerEngineRegistry Registry => _services.GetRequiredService<InnerEngineRegistry>();

    public IContainerChangeFeed Feed => _services.GetRequiredService<IContainerChangeFeed>();

    public ServerUsageStore Usage => _services.GetRequiredService<ServerUsageStore>();

    public ContainerRowStore Rows => _services.GetRequiredService<ContainerRowStore>();

    public ServerUsageMonitor UsageMonitor => _services.GetServices<IHostedService>().OfType<ServerUsageMonitor>().Single();

    public static async Task<MonitorHost> StartAsync(
        Action<MonitorOptions>? configure = null,
        TimeProvider? time = null,
        ProviderKind kind = ProviderKind.Sqlite,
        bool startUsageMonitor = false)
    {
        var database = await TestDatabase.CreateAsync(kind);
        await database.Provider.PrepareAsync(CancellationToken.None);
        await using (var db = database.CreateContext())
        {
            await db.Database.MigrateAsync();
        }

        var services = new ServiceCollection();
        services.AddLogging(l =>
        {
            l.SetMinimumLevel(LogLevel.Debug);
            if (Environment.GetEnvironmentVariable("BERTH_TEST_MONITOR_LOG") is { Length: > 0 } log)
            {
                l.AddProvider(new FileLoggerProvider(log));
            }
        });
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddBerthCore(database.Provider);
        services.AddBerthMonitoring(o =>
        {
            o.HostEndpoint = TestDocker.Endpoint;
            o.SweepInterval = TimeSpan.FromSeconds(30);
            o.ReconnectMinDelay = TimeSpan.FromMilliseconds(200);
            o.ReconnectMaxDelay = TimeSpan.FromSeconds(2);
            o.UsageInterval = TimeSpan.FromHours(1);
            configure?.Invoke(o);
        });
        var provider = services.BuildServiceProvider();
        var host = new MonitorHost(database, provider);
        try
        {
            _ = provider.GetRequiredService<IOptions<MonitorOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            await host.DisposeAsync();
            throw;
        }

        foreach (var service in provider.GetServices<IHostedService>())
        {
            if (service is ServerUsageMonitor && !startUsageMonitor)
            {
                continue;
            }

            await service.StartAsync(CancellationToken.None);
            host._started.Add(service);
        }

        return host;
    }

    public BerthDbContext Context() => Database.CreateContext();

    /// <summary>Polls the database until <paramref name="condition"/> holds; fails after <paramref name="timeout"/> (15 s by default).</summary>
    public async Task<T> EventuallyAsync<T>(Func<BerthDbContext, Task<T>> read, Func<T, bool> condition, string what, TimeSpan? timeout = null)
    {
        var value = await Poll.UntilAsync(
            async () =>
            {
                await using var db = Context();
                return await read(db);
            },
            condition,
            timeout,
            TimeSpan.FromMilliseconds(50));
        Assert.True(condition(value), $"Timed out waiting for {what}; last value: {value}");
        return value;
    }

    public Task<DockerContainer?> RowAsync(long parent, string id)
    {
        var shortId = id[..12];
        return EventuallyAsync(db => db.DockerContainers.AsNoTracking().SingleOrDefaultAsync(c => c.ParentServerId == parent && c.DockerId == shortId), _ => true, "row");
    }

    /// <summary>Waits until the row of container <paramref name="id"/> under <paramref name="parent"/> has <paramref name="state"/> (null: no row).</summary>
    public Task<string?> StateEventuallyAsync(long parent, string id, string? state, TimeSpan? timeout = null) =>
        EventuallyAsync(
            db => db.DockerContainers.AsNoTracking().Where(c => c.ParentServerId == parent && c.DockerId == id.Substring(0, 12)).Select(c => c.State).SingleOrDefaultAsync(),
            s => s == state,
            $"container {id[..12]} under {parent} to be {state ?? "gone"}",
            timeout);

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _started)
        {
            await service.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
