using Berth.Core.Errors;
using Berth.Core.Ssh;

namespace Berth.Core.Tests.Ssh;

/// <summary>
/// Reading public keys as users paste them: the keys the real <c>ssh-keygen</c> makes are accepted with
/// the fingerprint and size it prints; everything else is refused with a stable code and reason.
/// </summary>
public sealed class SshPublicKeyConformanceTests : IDisposable
{
    private readonly TempDirectory _folder = new("berth-sshkeys");

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("ed25519", null, "ssh-ed25519")]
    [InlineData("ecdsa", 256, "ecdsa-sha2-nistp256")]
    [InlineData("ecdsa", 384, "ecdsa-sha2-nistp384")]
    [InlineData("ecdsa", 521, "ecdsa-sha2-nistp521")]
    [InlineData("rsa", 2048, "ssh-rsa")]
    [InlineData("rsa", 3072, "ssh-rsa")]
    public async Task KeysOfSshKeygen_AreAccepted_WithItsFingerprintAndSize(string type, int? bits, string expectedType)
    {
        var path = await new SshKeygen(_folder.Path).GenerateAsync(type, bits, comment: "ana@laptop");
        var (keygenBits, keygenFingerprint, _) = await SshKeygen.FingerprintAsync(path + ".pub");

        var key = SshPublicKeyParser.Parse(await SshKeygen.PublicKeyAsync(path));

        Assert.Equal((expectedType, keygenFingerprint, keygenBits, "ana@laptop"), (key.Type, key.Fingerprint, key.Bits, key.Comment));
        // What Berth stores is still the same key to ssh-keygen.
        var stored = _folder.Combine("stored.pub");
        await File.WriteAllTextAsync(stored, key.AuthorizedKey + "\n");
        Assert.Equal(keygenFingerprint, (await SshKeygen.FingerprintAsync(stored)).Fingerprint);
    }

    [Fact]
    public async Task ShortRsa_DsaAndCertificates_FromSshKeygen_AreRefused()
    {
        var keygen = new SshKeygen(_folder.Path);
        var rsa1024 = await keygen.GenerateAsync("rsa", 1024);
        var dsa = await keygen.GenerateAsync("dsa");
        var ca = await keygen.GenerateAsync("ed25519");
        var user = await keygen.GenerateAsync("ed25519");
        await SshKeygen.RunAsync(["-q", "-s", ca, "-I", "ana", "-n", "root", user + ".pub"]);

        AssertRefused(await SshKeygen.PublicKeyAsync(rsa1024), SshKeyRules.TooWeak, "rsa-bits");
        AssertRefused(await SshKeygen.PublicKeyAsync(dsa), SshKeyRules.Unsupported, "type");
        AssertRefused(await File.ReadAllTextAsync(user + "-cert.pub"), SshKeyRules.Unsupported, "type");
        AssertRefused(await File.ReadAllTextAsync(user), SshKeyRules.Invalid, "private-key");
        AssertRefused(await SshKeygen.RunAsync(["-e", "-f", user + ".pub"]), SshKeyRules.Invalid, "format");
    }

    [Fact]
    public async Task AnEcdsaPointOffItsCurve_IsRefused()
    {
        var path = await new SshKeygen(_folder.Path).GenerateAsync("ecdsa", 256);
        var words = (await SshKeygen.PublicKeyAsync(path)).Split(' ');
        var blob = Convert.FromBase64String(words[1]);
        blob[^1] ^= 0x01;

        AssertRefused(SshKeyBlobs.Line(words[0], blob), SshKeyRules.Invalid, "blob");
    }

    public static TheoryData<string, string, string> Refusals()
    {
        var ed = SshKeyBlobs.Ed25519Blob();
        var line = SshKeyBlobs.Line("ssh-ed25519", ed);
        return new()
        {
            { "", SshKeyRules.Invalid, "empty" },
            { "  \n\t ", SshKeyRules.Invalid, "empty" },
            { line + "\n" + line, SshKeyRules.Invalid, "multiple" },
            { new string('a', SshKeyRules.MaxTextLength + 1), SshKeyRules.Invalid, "length" },
            { "ssh-ed25519", SshKeyRules.Invalid, "format" },
            { "ssh-ed25519 !!!not-base64!!!", SshKeyRules.Invalid, "base64" },
            { "ssh-ed25519 AAAA", SshKeyRules.Invalid, "type-mismatch" },
            { "hello world", SshKeyRules.Invalid, "format" },
            { "ssh-ed25519 " + Convert.ToBase64String(ed) + "\u0007 bell", SshKeyRules.Invalid, "format" },
            { "command=\"id\" " + line, SshKeyRules.OptionsRefused, "options" },
            { "from=\"10.0.0.1\",no-pty " + line, SshKeyRules.OptionsRefused, "options" },
            { "restrict,command=\"echo a b\" " + line, SshKeyRules.OptionsRefused, "options" },
            { "ssh-dss " + Convert.ToBase64String(ed), SshKeyRules.Unsupported, "type" },
            { "sk-ssh-ed25519@openssh.com " + Convert.ToBase64String(ed), SshKeyRules.Unsupported, "type" },
            { "ssh-ed25519-cert-v01@openssh.com " + Convert.ToBase64String(ed), SshKeyRules.Unsupported, "type" },
            { "ecdsa-sha2-nistp192 " + Convert.ToBase64String(ed), SshKeyRules.Unsupported, "type" },
            { "ssh-rsa " + Convert.ToBase64String(ed), SshKeyRules.Invalid, "type-mismatch" },
            { SshKeyBlobs.Line("ssh-ed25519", SshKeyBlobs.Of("ssh-ed25519", new byte[31])), SshKeyRules.Invalid, "blob" },
            { SshKeyBlobs.Line("ssh-ed25519", SshKeyBlobs.Of("ssh-ed25519", new byte[33])), SshKeyRules.Invalid, "blob" },
            { SshKeyBlobs.Line("ssh-ed25519", [.. ed, 0]), SshKeyRules.Invalid, "blob" },
            { SshKeyBlobs.Line("ssh-ed25519", ed[..^1]), SshKeyRules.Invalid, "blob" },
            { SshKeyBlobs.Line("ssh-ed25519", [0xFF, 0xFF, 0xFF, 0xFF, .. ed[4..]]), SshKeyRules.Invalid, "type-mismatch" },
            { SshKeyBlobs.Line("ssh-rsa", SshKeyBlobs.RsaBlob(2047)), SshKeyRules.TooWeak, "rsa-bits" },
            { SshKeyBlobs.Line("ssh-rsa", SshKeyBlobs.RsaBlob(16392)), SshKeyRules.Unsupported, "type" },
            { SshKeyBlobs.Line("ssh-rsa", SshKeyBlobs.Of("ssh-rsa", new byte[] { 1, 0, 1 }, new byte[] { 0x80, 1 })), SshKeyRules.Invalid, "blob" },
            { SshKeyBlobs.Line("ssh-rsa", SshKeyBlobs.Of("ssh-rsa", new byte[] { 1, 0, 0 }, new byte[] { 0x7F, 1 })), SshKeyRules.Invalid, "blob" },
            { SshKeyBlobs.Line("ssh-rsa", SshKeyBlobs.Of("ssh-rsa", new byte[] { 0, 3 }, new byte[] { 0x7F, 1 })), SshKeyRules.Invalid, "blob" },
            { SshKeyBlobs.Line("ssh-rsa", SshKeyBlobs.Of("ssh-rsa", new byte[] { 3 }, new byte[] { 0, 0x7F, 1 })), SshKeyRules.Invalid, "blob" },
            { SshKeyBlobs.Line("ecdsa-sha2-nistp256", SshKeyBlobs.Of("ecdsa-sha2-nistp256", "nistp384", new byte[65])), SshKeyRules.Invalid, "blob" },
            { SshKeyBlobs.Line("ecdsa-sha2-nistp256", SshKeyBlobs.Of("ecdsa-sha2-nistp256", "nistp256", new byte[65])), SshKeyRules.Invalid, "blob" },
            { SshKeyBlobs.Line("ecdsa-sha2-nistp256", SshKeyBlobs.Of("ecdsa-sha2-nistp256", "nistp256", new byte[33])), SshKeyRules.Invalid, "blob" },
        };
    }

    [Theory]
    [MemberData(nameof(Refusals))]
    public void EachRule_RefusesWithItsCodeAndReason(string text, string code, string reason) => AssertRefused(text, code, reason);

    [Theory]
    [InlineData("", "")]
    [InlineData(" ana@laptop ", "ana@laptop")]
    [InlineData("\twork key (2026)", "work key (2026)")]
    public void TheComment_IsKept_AndSurroundingSpaceIsNot(string comment, string expected)
    {
        var key = SshPublicKeyParser.Parse("  ssh-ed25519\t" + Convert.ToBase64String(SshKeyBlobs.Ed25519Blob()) + comment + "\r\n");

        Assert.Equal(expected, key.Comment);
    }

    [Fact]
    public void AnRsaKeyOfExactly2048Bits_IsAccepted()
    {
        var key = SshPublicKeyParser.Parse(SshKeyBlobs.Line("ssh-rsa", SshKeyBlobs.RsaBlob(2048)));

        Assert.Equal(2048, key.Bits);
    }

    internal static void AssertRefused(string text, string code, string reason)
    {
        var refusal = Assert.Throws<BerthException>(() => SshPublicKeyParser.Parse(text));
        Assert.Equal((ErrorKind.Invalid, code, reason), (refusal.Kind, refusal.Code, refusal.Reason));
        Assert.False(string.IsNullOrWhiteSpace(refusal.Message));
    }
}
