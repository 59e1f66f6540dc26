using Berth.Core.Servers;
using Berth.Core.Terminal;
using Berth.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Berth.Server.Tests.Terminal;

/// <summary>
/// A <see cref="TerminalFixture"/> whose terminals run on a fake clock (tickets, sessions and the rest of
/// Berth keep the real one): a test moves the clock past the idle timeout or the grace period, with no wait.
/// </summary>
public sealed class FakeClockTerminalFixture : TerminalFixture
{
    public FakeTimeProvider Clock { get; } = new(TimeProvider.System.GetUtcNow());

    protected override Action<WebApplicationBuilder> Customize => builder =>
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<TerminalSessions>(sp, (TimeProvider)Clock));
}

/// <summary>The idle timeout and the grace period end the shell, and no process of it is left in the server (real DinD server).</summary>
[Collection(SharedEngine.Name)]
public sealed class TerminalClockTests(FakeClockTerminalFixture fixture) : IClassFixture<FakeClockTerminalFixture>
{
    private BerthTestHost Host => fixture.Host;

    private TerminalSessions Sessions => Host.Services.GetRequiredService<TerminalSessions>();

    private TerminalOptions Options => Sessions.Options;

    [Fact]
    public async Task IdleTimeout_EndsTheShell_WithAnIdleEvent_AndNoProcessLeft()
    {
        await using var terminal = await StartSleepingTerminalAsync("idle");

        // Just short of the timeout nothing happens; past it (and the next check) the terminal is closed.
        fixture.Clock.Advance(Options.IdleTimeout - Options.CheckInterval - TimeSpan.FromSeconds(1));
        await terminal.TypeAsync("echo still-$((6*6))\r");
        await terminal.WaitForOutputAsync("still-36");
        fixture.Clock.Advance(Options.IdleTimeout + Options.CheckInterval);

        var closed = await terminal.WaitForEventAsync("closed", seconds: 30);
        Assert.Equal(TerminalEndReasons.Idle, closed.GetProperty("reason").GetString());
        await AssertNoProcessLeftAsync();
    }

    [Fact]
    public async Task GracePeriodRunningOut_EndsADroppedShell_AndNoProcessLeft()
    {
        var terminal = await StartSleepingTerminalAsync("grace");
        var session = Sessions.OfServer(fixture.AliceServer).Single(s => s.Id == terminal.SessionId);
        terminal.Drop();
        await terminal.DisposeAsync();
        Assert.True(await Poll.UntilAsync(() => session.DetachedSince is not null), "the session never noticed the dropped connection");

        // Within the grace period the shell waits for its browser.
        fixture.Clock.Advance(Options.GracePeriod - Options.CheckInterval - TimeSpan.FromSeconds(1));
        Assert.False(session.Ended.IsCompleted);
        Assert.Equal(1, await CountAsync("sleep"));

        fixture.Clock.Advance(Options.CheckInterval + TimeSpan.FromSeconds(2));
        Assert.Equal(TerminalEndReasons.GraceExpired, await session.Ended.WaitAsync(TimeSpan.FromSeconds(30)));
        await AssertNoProcessLeftAsync();

        // A browser that comes back afterwards is told the shell is gone.
        await using var late = await TerminalClient.ConnectAsync(Host, fixture.Alice, fixture.AliceServer, resume: session.Id);
        Assert.Equal(TerminalEndReasons.Unknown, (await late.WaitForEventAsync("closed")).GetProperty("reason").GetString());
    }

    /// <summary>A terminal with a background <c>sleep</c> (a process of its own to look for afterwards).</summary>
    private async Task<TerminalClient> StartSleepingTerminalAsync(string name)
    {
        Assert.Equal(0, await CountAsync("sleep"));
        _bashBefore = await CountAsync("bash");
        var terminal = await TerminalClient.ConnectAsync(Host, fixture.Alice, fixture.AliceServer);
        await terminal.TypeAsync($"sleep 4343 & echo {name}-$((7*7))\r");
        await terminal.WaitForOutputAsync($"{name}-49");
        Assert.Equal(_bashBefore + 1, await CountAsync("bash"));
        Assert.Equal(1, await CountAsync("sleep"));
        return terminal;
    }

    private int _bashBefore;

    private async Task AssertNoProcessLeftAsync()
    {
        Assert.True(await Poll.UntilAsync(async () => await CountAsync("bash") == _bashBefore && await CountAsync("sleep") == 0, TimeSpan.FromSeconds(30)),
            $"processes left: {await PsAsync()}");
        Assert.True(await Poll.UntilAsync(() => Sessions.OfServer(fixture.AliceServer).Count == 0, TimeSpan.FromSeconds(30)), "the session is still listed");
    }

    private async Task<int> CountAsync(string command) =>
        (await PsAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Count(c => c == command);

    private async Task<string> PsAsync()
    {
        var containers = Host.Services.GetRequiredService<ServerContainers>();
        var result = await containers.Host.Containers.ExecAsync(ServerContainers.ContainerName(fixture.AliceServer), ["ps", "-eo", "comm="], CancellationToken.None);
        Assert.Equal(0L, result.ExitCode);
        return result.StandardOutput;
    }
}
