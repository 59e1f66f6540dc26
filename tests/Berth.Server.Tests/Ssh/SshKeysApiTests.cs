using System.Net;
using System.Net.Http.Json;
using Berth.Server.Tests.Domains;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Ssh;

/// <summary>
/// The SSH keys of one's own account through <c>/api/me/ssh-keys</c>, with keys the real ssh-keygen
/// made: fingerprints as it prints them, clear refusals, per-account ownership and activity rows.
/// </summary>
public sealed class SshKeysApiTests : IDisposable
{
    private readonly TempDirectory _folder = new("berth-sshkeys-api");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData(ProviderKind.Sqlite)]
    [InlineData(ProviderKind.PostgreSql)]
    public async Task Keys_AreAddedListedAndDeleted_ByTheirOwnerOnly(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var (ana, _) = await host.UserAsync(admin, "ana@example.com");
        var (bob, _) = await host.UserAsync(admin, "bob@example.com");
        using var a = ana;
        using var b = bob;
        var path = await new SshKeygen(_folder.Path).GenerateAsync("ed25519", comment: "ana@laptop");
        var publicKey = await SshKeygen.PublicKeyAsync(path);
        var (_, fingerprint, _) = await SshKeygen.FingerprintAsync(path + ".pub");

        // Added without a name: the key's comment names it; the fingerprint is ssh-keygen's.
        var added = await ana.PostAsJsonAsync("/api/me/ssh-keys", new { publicKey });
        await added.AssertStatusAsync(HttpStatusCode.Created);
        var key = await added.JsonAsync();
        var id = key.GetProperty("id").GetInt64();
        Assert.Equal(("ana@laptop", fingerprint, "ssh-ed25519"), (key.GetProperty("name").GetString(), key.GetProperty("fingerprint").GetString(), key.GetProperty("keyType").GetString()));
        Assert.True(key.TryGetProperty("createdAt", out var created) && created.ValueKind == System.Text.Json.JsonValueKind.String);
        Assert.Equal($"/api/me/ssh-keys/{id}", added.Headers.Location?.OriginalString);

        // The same key again, under another name: 409.
        (await (await ana.PostAsJsonAsync("/api/me/ssh-keys", new { name = "again", publicKey })).AssertProblemAsync(HttpStatusCode.Conflict, "SSH_KEY_DUPLICATE"))
            .GetProperty("detail").GetString()!.Contains(fingerprint, StringComparison.Ordinal);

        // Another user sees none of it, and their delete answers exactly like a missing key's.
        Assert.Equal(0, (await (await bob.GetAsync("/api/me/ssh-keys")).JsonAsync()).GetArrayLength());
        var theirs = await (await bob.DeleteAsync($"/api/me/ssh-keys/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "SSH_KEY_NOT_FOUND");
        var missing = await (await bob.DeleteAsync($"/api/me/ssh-keys/{id + 1000}")).AssertProblemAsync(HttpStatusCode.NotFound, "SSH_KEY_NOT_FOUND");
        Assert.Equal(missing.GetProperty("detail").GetString(), theirs.GetProperty("detail").GetString());
        // A key is unique per account, not on the platform: bob may hold the same public key.
        await (await bob.PostAsJsonAsync("/api/me/ssh-keys", new { name = "shared", publicKey })).AssertStatusAsync(HttpStatusCode.Created);

        var listed = (await (await ana.GetAsync("/api/me/ssh-keys")).JsonAsync()).EnumerateArray().ToList();
        Assert.Equal([id], listed.Select(k => k.GetProperty("id").GetInt64()));

        await (await ana.DeleteAsync($"/api/me/ssh-keys/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(0, (await (await ana.GetAsync("/api/me/ssh-keys")).JsonAsync()).GetArrayLength());
        await (await ana.DeleteAsync($"/api/me/ssh-keys/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "SSH_KEY_NOT_FOUND");
        Assert.Equal(1, (await (await bob.GetAsync("/api/me/ssh-keys")).JsonAsync()).GetArrayLength());

        var activity = (await (await ana.GetAsync("/api/me/activity")).JsonAsync()).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("message").GetString()).ToList();
        Assert.Contains($"SSH key \"ana@laptop\" added ({fingerprint})", activity);
        Assert.Contains($"SSH key \"ana@laptop\" deleted ({fingerprint})", activity);
    }

    [Fact]
    public async Task BadKeysAndNames_AreRefusedWithTheirCodes_AndNothingIsWritten()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var keygen = new SshKeygen(_folder.Path);
        var weak = await SshKeygen.PublicKeyAsync(await keygen.GenerateAsync("rsa", 1024));
        var good = await SshKeygen.PublicKeyAsync(await keygen.GenerateAsync("ecdsa", 384));

        async Task<string?> ReasonAsync(object body, HttpStatusCode status, string code) =>
            (await (await admin.PostAsJsonAsync("/api/me/ssh-keys", body)).AssertProblemAsync(status, code)).TryGetProperty("reason", out var r) ? r.GetString() : null;

        Assert.Equal("empty", await ReasonAsync(new { name = "x" }, HttpStatusCode.BadRequest, "SSH_KEY_INVALID"));
        Assert.Equal("base64", await ReasonAsync(new { publicKey = "ssh-ed25519 ***" }, HttpStatusCode.BadRequest, "SSH_KEY_INVALID"));
        Assert.Equal("rsa-bits", await ReasonAsync(new { publicKey = weak }, HttpStatusCode.BadRequest, "SSH_KEY_TOO_WEAK"));
        Assert.Equal("options", await ReasonAsync(new { publicKey = "no-pty " + good }, HttpStatusCode.BadRequest, "SSH_KEY_OPTIONS_REFUSED"));
        Assert.Equal("name", await ReasonAsync(new { name = new string('n', 101), publicKey = good }, HttpStatusCode.BadRequest, "SSH_KEY_NAME_INVALID"));
        Assert.Equal("name", await ReasonAsync(new { name = "a\u0000b", publicKey = good }, HttpStatusCode.BadRequest, "SSH_KEY_NAME_INVALID"));

        Assert.Equal(0, (await (await admin.GetAsync("/api/me/ssh-keys")).JsonAsync()).GetArrayLength());
    }

    [Fact]
    public async Task AnAccount_HoldsAtMost50Keys()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        for (var i = 0; i < 50; i++)
        {
            await (await admin.PostAsJsonAsync("/api/me/ssh-keys", new { name = $"k{i}", publicKey = Ed25519(i) })).AssertStatusAsync(HttpStatusCode.Created);
        }

        await (await admin.PostAsJsonAsync("/api/me/ssh-keys", new { publicKey = Ed25519(50) })).AssertProblemAsync(HttpStatusCode.BadRequest, "SSH_KEY_LIMIT");
        Assert.Equal(50, (await (await admin.GetAsync("/api/me/ssh-keys")).JsonAsync()).GetArrayLength());
    }

    /// <summary>A distinct ed25519 public key per number (any 32 bytes are one to the API).</summary>
    private static string Ed25519(int n)
    {
        byte[] blob = [0, 0, 0, 11, .. "ssh-ed25519"u8, 0, 0, 0, 32, .. Enumerable.Repeat((byte)n, 32)];
        return "ssh-ed25519 " + Convert.ToBase64String(blob);
    }
}
