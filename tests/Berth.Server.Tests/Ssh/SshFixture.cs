using System.Net;
using System.Net.Http.Json;
using Berth.Core.Servers;
using Berth.Core.Ssh;
using Berth.Server.Ssh;
using Berth.Server.Tests.Infrastructure;
using Berth.Server.Tests.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Ssh;

/// <summary>
/// One Berth with the SSH entry on a free loopback port, on the run's real engine: an admin, Alice
/// (a running server, an ed25519 key registered) and Bob (a key of his own, no server), key pairs
/// made by ssh-keygen, and the real OpenSSH client pinned to the entry's host key.
/// </summary>
public sealed class SshFixture : IAsyncLifetime, ICreatesServers
{
    private readonly string _files = Path.Combine(Path.GetTempPath(), $"berth-ssh-{Guid.NewGuid():N}");

    public BerthTestHost Host { get; private set; } = null!;

    public HttpClient Admin { get; private set; } = null!;

    public HttpClient Alice { get; private set; } = null!;

    public long AliceId { get; private set; }

    public long AliceServer { get; private set; }

    /// <summary>Private key files (ssh-keygen, no passphrase).</summary>
    public string AliceKey => Path.Combine(_files, "alice");

    public string BobKey => Path.Combine(_files, "bob");

    public string AdminKey => Path.Combine(_files, "admin");

    /// <summary>A key nobody registered.</summary>
    public string StrangerKey => Path.Combine(_files, "stranger");

    internal OpenSsh Ssh { get; private set; } = null!;

    public string Files => _files;

    public async Task InitializeAsync()
    {
        _ = TestDocker.Endpoint;
        using (var engine = TestDocker.Connect())
        {
            await VirtualServerImageForTests.EnsureAsync(engine);
        }

        Directory.CreateDirectory(_files);
        Host = await BerthTestHost.StartAsync(configure: s => s with { SshListen = new IPEndPoint(IPAddress.Loopback, 0) });
        Admin = await Host.LoginAsync();
        AliceId = await Admin.CreateUserAsync("alice@example.com", ServersFixture.AlicePassword);
        await Admin.CreateUserAsync("bob@example.com", ServersFixture.BobPassword);
        Alice = await Host.LoginAsync("alice@example.com", ServersFixture.AlicePassword);
        using var bob = await Host.LoginAsync("bob@example.com", ServersFixture.BobPassword);
        var server = ServersFixture.CreateRunningServerAsync(Alice, "alice ssh");

        foreach (var name in new[] { "alice", "bob", "admin", "stranger" })
        {
            await Faults.HostCommand.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name + "@test", "-f", Path.Combine(_files, name));
        }

        await AddKeyAsync(Alice, AliceKey);
        await AddKeyAsync(bob, BobKey);
        await AddKeyAsync(Admin, AdminKey);

        var keys = Host.Services.GetRequiredService<SshEntryKeys>();
        var entry = Host.Services.GetRequiredService<SshGateway>().Endpoint ?? throw new InvalidOperationException("The SSH entry does not listen.");
        var knownHosts = Path.Combine(_files, "known_hosts");
        await File.WriteAllLinesAsync(knownHosts, keys.HostKeyLines.Select(k => $"[{entry.Address}]:{entry.Port} {k}"));
        var askPass = Path.Combine(_files, "askpass");
        await File.WriteAllTextAsync(askPass, "#!/bin/sh\nprintf '%s\\n' \"$BERTH_TEST_SSH_PASSWORD\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(askPass, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Ssh = new OpenSsh(entry, knownHosts, askPass);
        AliceServer = await server;
    }

    /// <summary>The server's engine-side container handle, for running apps inside it.</summary>
    public ServerContainers Containers => Host.Services.GetRequiredService<ServerContainers>();

    public async Task DisposeAsync()
    {
        Alice.Dispose();
        Admin.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(_files, recursive: true);
    }

    private static async Task AddKeyAsync(HttpClient client, string privateKey)
    {
        var response = await client.PostAsJsonAsync("/api/me/ssh-keys", new { name = Path.GetFileName(privateKey), publicKey = await File.ReadAllTextAsync(privateKey + ".pub") });
        response.EnsureSuccessStatusCode();
    }
}
