using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Berth.Core.Accounts;
using Berth.Server.Tests.Infrastructure;
using Berth.Server.Tests.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Ssh;

/// <summary>
/// <c>ssh -p PORT server&lt;id&gt;@host</c> with the real OpenSSH client: a key or the platform password
/// lands as root inside the server; scp, sftp, rsync and stdio forwarding (ssh -W, the channel ssh -L
/// opens) work; every other name, key, password or destination is refused.
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class SshEntryTests(SshFixture fixture) : IClassFixture<SshFixture>
{
    private string User => "server" + fixture.AliceServer.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task AKey_LandsAsRootInsideTheServer_InAShellThatRunsTheCommand()
    {
        var run = await fixture.Ssh.SshAsync(User, fixture.AliceKey, "id -u; hostname; echo ąčęėįšųūž");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["0", User, "ąčęėįšųūž"], run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task TheCommandsExitStatusAndStandardError_ReachTheClient()
    {
        var run = await fixture.Ssh.SshAsync(User, fixture.AliceKey, "echo to-stderr >&2; exit 7");

        Assert.Equal(7, run.ExitCode);
        Assert.Contains("to-stderr", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePlatformPassword_LandsInTheServer_AndIsAnActivityRow()
    {
        var run = await fixture.Ssh.SshAsync(User, key: null, "whoami", password: ServersFixture.AlicePassword);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("root", run.Output.Trim());
        Assert.Contains(await ActivityAsync(), m => m == $"SSH login to virtual server #{fixture.AliceServer} by alice@example.com (password, IP: 127.0.0.1)");
    }

    [Fact]
    public async Task Health_ReportsTheEntry_WithTheHostKeysUsersPin()
    {
        var health = await fixture.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/health");
        var ssh = health.GetProperty("ssh");

        Assert.Equal("listening", ssh.GetProperty("status").GetString());
        Assert.Equal(fixture.Ssh.Entry.ToString(), ssh.GetProperty("address").GetString());
        var pinned = fixture.Host.Services.GetRequiredService<Berth.Core.Ssh.SshEntryKeys>().Fingerprints;
        Assert.Equal(pinned, ssh.GetProperty("fingerprints").EnumerateArray().Select(f => f.GetString()!));
    }

    [Fact]
    public async Task AnAdminsOwnKey_EntersAnyServer()
    {
        var run = await fixture.Ssh.SshAsync(User, fixture.AdminKey, "true");

        Assert.True(run.ExitCode == 0, run.ToString());
    }

    public static TheoryData<string> RefusedUsers => new() { "server0", "serverABC", "server1;id", "server01", "root", "server999999" };

    [Theory]
    [MemberData(nameof(RefusedUsers))]
    public async Task ANameThatIsNotAServerOfTheKeysOwner_IsRefused_WithNoShell(string user)
    {
        var run = await fixture.Ssh.SshAsync(user, fixture.AliceKey, "echo inside");

        Assert.Equal(255, run.ExitCode);
        Assert.DoesNotContain("inside", run.Output, StringComparison.Ordinal);
        // OpenSSH itself refuses to send a name with shell characters (server1;id); the entry's own
        // grammar for such names is covered in SshUserNameTests.
        Assert.Matches("Permission denied|invalid characters", run.Error);
    }

    [Fact]
    public async Task AnotherUsersKey_AKeyNobodyRegistered_AndAWrongPassword_AreRefusedAlike()
    {
        var bob = await fixture.Ssh.SshAsync(User, fixture.BobKey, "echo inside");
        var stranger = await fixture.Ssh.SshAsync(User, fixture.StrangerKey, "echo inside");
        var wrong = await fixture.Ssh.SshAsync(User, key: null, "echo inside", password: "not-alices-password");

        Assert.All([bob, stranger, wrong], run =>
        {
            Assert.Equal(255, run.ExitCode);
            Assert.Empty(run.Output);
            Assert.Contains("Permission denied", run.Error, StringComparison.Ordinal);
        });
        Assert.Contains(await ActivityAsync(), m => m == $"SSH login to virtual server #{fixture.AliceServer} failed (password, IP: 127.0.0.1)");
    }

    [Fact]
    public async Task ARevokedKey_IsRefused()
    {
        var key = Path.Combine(fixture.Files, "revoked");
        await Faults.HostCommand.RunAsync("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", key);
        var added = await fixture.Alice.PostAsJsonAsync("/api/me/ssh-keys", new { name = "soon revoked", publicKey = await File.ReadAllTextAsync(key + ".pub") });
        var id = (await added.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(0, (await fixture.Ssh.SshAsync(User, key, "true")).ExitCode);

        (await fixture.Alice.DeleteAsync($"/api/me/ssh-keys/{id}")).EnsureSuccessStatusCode();

        Assert.Equal(255, (await fixture.Ssh.SshAsync(User, key, "true")).ExitCode);
    }

    [Fact]
    public async Task AStoppedServer_IsRefused_LikeAMissingOne()
    {
        var stopped = await ServersFixture.CreateRunningServerAsync(fixture.Alice, "alice stopped");
        (await fixture.Alice.PostAsync($"/api/servers/{stopped}/stop", null)).EnsureSuccessStatusCode();
        await ServersFixture.WaitForStateAsync(fixture.Alice, stopped, "exited");

        var name = "server" + stopped.ToString(CultureInfo.InvariantCulture);
        var missingName = "server" + (stopped + 1000).ToString(CultureInfo.InvariantCulture);
        var run = await fixture.Ssh.SshAsync(name, fixture.AliceKey, "echo inside");
        var missing = await fixture.Ssh.SshAsync(missingName, fixture.AliceKey, "echo inside");

        Assert.Equal((255, ""), (run.ExitCode, run.Output));
        Assert.Equal(missing.Error.Replace(missingName, "NAME", StringComparison.Ordinal), run.Error.Replace(name, "NAME", StringComparison.Ordinal));
        (await fixture.Alice.DeleteAsync($"/api/servers/{stopped}")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task ADisabledOwner_IsRefused_AndEntersAgainOnceEnabled()
    {
        (await fixture.Admin.PatchAsJsonAsync($"/api/users/{fixture.AliceId}", new { enabled = false })).EnsureSuccessStatusCode();
        ToolRun refused;
        try
        {
            refused = await fixture.Ssh.SshAsync(User, fixture.AliceKey, "echo inside");
        }
        finally
        {
            (await fixture.Admin.PatchAsJsonAsync($"/api/users/{fixture.AliceId}", new { enabled = true })).EnsureSuccessStatusCode();
        }

        Assert.Equal(255, refused.ExitCode);
        Assert.Equal(0, (await fixture.Ssh.SshAsync(User, fixture.AliceKey, "true")).ExitCode);
    }

    [Fact]
    public async Task PasswordFailures_AreThrottledPerAccountAndAddress_AndARefusalCostsNoBcrypt()
    {
        // From an address of its own, so that the other tests' logins from 127.0.0.1 stay unthrottled.
        const string source = "127.0.0.9";
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(255, (await fixture.Ssh.SshAsync(User, key: null, "true", password: "wrong-" + i, source: source)).ExitCode);
        }

        var verifier = fixture.Host.Services.GetRequiredService<PasswordVerifier>();
        var before = verifier.Verifications;
        var refused = await fixture.Ssh.SshAsync(User, key: null, "true", password: ServersFixture.AlicePassword, source: source);

        Assert.Equal(255, refused.ExitCode);
        Assert.Equal(before, verifier.Verifications);
        Assert.Contains(await ActivityAsync(), m => m == $"SSH login to virtual server #{fixture.AliceServer} refused: too many attempts (password, IP: {source})");
        // The same account from its usual address is not locked out.
        Assert.Equal(0, (await fixture.Ssh.SshAsync(User, key: null, "true", password: ServersFixture.AlicePassword)).ExitCode);
    }

    [Fact]
    public async Task Scp_CopiesA50MegabyteFile_IntactIntoTheServer()
    {
        var local = Path.Combine(fixture.Files, "payload.bin");
        var bytes = RandomNumberGenerator.GetBytes(50 * 1024 * 1024);
        await File.WriteAllBytesAsync(local, bytes);

        var copy = await fixture.Ssh.ScpAsync(fixture.AliceKey, local, $"{User}@{fixture.Ssh.Entry.Address}:/apps/payload.bin");
        var sum = await fixture.Ssh.SshAsync(User, fixture.AliceKey, "sha256sum /apps/payload.bin");

        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), sum.Output.Split(' ')[0]);
    }

    [Fact]
    public async Task SftpBatch_PutsListsAndGetsAFile()
    {
        var local = Path.Combine(fixture.Files, "note.txt");
        await File.WriteAllTextAsync(local, "sftp was here\n");
        var back = Path.Combine(fixture.Files, "note-back.txt");
        var batch = Path.Combine(fixture.Files, "batch.txt");
        await File.WriteAllLinesAsync(batch, ["mkdir /apps/sftp-test", $"put {local} /apps/sftp-test/note.txt", "ls /apps/sftp-test", $"get /apps/sftp-test/note.txt {back}"]);

        var run = await fixture.Ssh.SftpAsync(User, fixture.AliceKey, batch);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("sftp was here\n", await File.ReadAllTextAsync(back));
    }

    [Fact]
    public async Task Rsync_OverTheEntry_SyncsAFolder()
    {
        var folder = Path.Combine(fixture.Files, "site");
        Directory.CreateDirectory(Path.Combine(folder, "css"));
        await File.WriteAllTextAsync(Path.Combine(folder, "index.html"), "<h1>rsync</h1>");
        await File.WriteAllTextAsync(Path.Combine(folder, "css", "site.css"), "h1 { color: teal }");

        var run = await fixture.Ssh.RsyncAsync(fixture.AliceKey, folder + "/", $"{User}@{fixture.Ssh.Entry.Address}:/apps/site/");
        var listed = await fixture.Ssh.SshAsync(User, fixture.AliceKey, "cat /apps/site/index.html /apps/site/css/site.css");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("<h1>rsync</h1>h1 { color: teal }", listed.Output);
    }

    [Fact]
    public async Task Forwarding_ReachesAPortOfTheServer_AndNoOtherDestination()
    {
        await ServerWebApp.RunAsync(fixture.Containers, fixture.AliceServer, "forwarded page", 8080);
        const string request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";

        var local = await fixture.Ssh.SshAsync(User, fixture.AliceKey, stdin: request, extra: ["-W", "localhost:8080"]);
        var elsewhere = await fixture.Ssh.SshAsync(User, fixture.AliceKey, stdin: request, extra: ["-W", "10.0.0.1:80"]);
        var host = await fixture.Ssh.SshAsync(User, fixture.AliceKey, stdin: request, extra: ["-W", "host.docker.internal:8080"]);

        Assert.True(local.ExitCode == 0, local.ToString());
        Assert.Contains("forwarded page", local.Output, StringComparison.Ordinal);
        Assert.All([elsewhere, host], run =>
        {
            Assert.NotEqual(0, run.ExitCode);
            Assert.DoesNotContain("forwarded page", run.Output, StringComparison.Ordinal);
        });
    }

    private async Task<List<string>> ActivityAsync()
    {
        var page = await fixture.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/activity?pageSize=200");
        return [.. page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("message").GetString()!)];
    }
}
