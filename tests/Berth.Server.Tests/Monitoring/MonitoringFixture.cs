using System.Net.Http.Json;
using System.Text.Json;
using Berth.Core.Servers;
using Berth.Docker;
using Berth.Server.Hosting;
using Berth.Server.Tests.Infrastructure;
using Berth.Server.Tests.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Monitoring;

/// <summary>
/// Berth with its container monitor watching the run's engine, an admin, Alice with one running
/// virtual server (the locally built busybox image loaded into its engine) and Bob with none.
/// Heartbeats every second, so that tests can tell "nothing came" from "not yet".
/// </summary>
public sealed class MonitoringFixture : IAsyncLifetime, ICreatesServers
{
    public BerthTestHost Host { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Alice { get; private set; } = null!;

    public HttpClient Bob { get; private set; } = null!;

    public long ServerId { get; private set; }

    public string Busybox { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using (var engine = TestDocker.Connect())
        {
            await VirtualServerImageForTests.EnsureAsync(engine);
            Busybox = await BusyboxImage.EnsureAsync(engine.Images, CancellationToken.None);
        }

        Host = await BerthTestHost.StartAsync(
            monitorHostEngine: true,
            customize: b => b.Services.Configure<EventStreamOptions>(o => o.HeartbeatInterval = TimeSpan.FromSeconds(1)));
        Admin = await Host.LoginAsync();
        await Admin.CreateUserAsync("alice@example.com", ServersFixture.AlicePassword);
        await Admin.CreateUserAsync("bob@example.com", ServersFixture.BobPassword);
        Alice = await Host.LoginAsync("alice@example.com", ServersFixture.AlicePassword);
        Bob = await Host.LoginAsync("bob@example.com", ServersFixture.BobPassword);
        ServerId = await ServersFixture.CreateRunningServerAsync(Alice, "watched box");
        using var inner = await InnerAsync();
        using var host = TestDocker.Connect();
        await host.Images.CopyToAsync(Busybox, inner.Images, CancellationToken.None);
    }

    /// <summary>A client of Alice's server's own engine (over Berth's mutual TLS).</summary>
    public async Task<DockerEngine> InnerAsync()
    {
        var client = await Host.Services.GetRequiredService<ServerContainers>().ConnectInnerAsync(ServerId, CancellationToken.None);
        Assert.NotNull(client);
        return new DockerEngine(client, new ResourceLabels(TestDocker.LabelPrefix, TestDocker.RunSession));
    }

    /// <summary>Polls Alice's server through the API until <paramref name="condition"/> holds.</summary>
    public async Task<JsonElement> ServerEventuallyAsync(Func<JsonElement, bool> condition, string what, int seconds = 15)
    {
        var server = await Poll.UntilAsync(() => Alice.GetFromJsonAsync<JsonElement>($"/api/servers/{ServerId}"), condition, TimeSpan.FromSeconds(seconds));
        Assert.True(condition(server), $"server {ServerId}: no {what} within {seconds} s: {server}");
        return server;
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        Alice.Dispose();
        Bob.Dispose();
        await Host.DisposeAsync();
    }
}
