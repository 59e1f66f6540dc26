using Berth.Server.Tests.Servers;

namespace Berth.Server.Tests.Terminal;

/// <summary>The servers fixture plus one running server of Alice's that most terminal tests share.</summary>
public sealed class TerminalFixture : IAsyncLifetime
{
    public ServersFixture Servers { get; } = new();

    public long AliceServer { get; private set; }

    public async Task InitializeAsync()
    {
        await Servers.InitializeAsync();
        AliceServer = await ServersFixture.CreateRunningServerAsync(Servers.Alice, "terminal box");
    }

    public Task DisposeAsync() => Servers.DisposeAsync();
}
