using Berth.Core.Errors;
using Berth.Core.Ssh;
using CsCheck;

namespace Berth.Core.Tests.Ssh;

/// <summary>
/// The key reader takes untrusted text: whatever arrives, it either returns a key that is consistent
/// with itself or refuses with a validation error (kind Invalid, one of the documented codes); it never
/// throws anything else. Inputs: random text, random blobs behind each type, and valid keys mutated.
/// </summary>
public sealed class SshPublicKeyProperties
{
    private static readonly HashSet<string> Codes =
        [SshKeyRules.Invalid, SshKeyRules.Unsupported, SshKeyRules.TooWeak, SshKeyRules.OptionsRefused];

    private static readonly string[] Types = [.. SshPublicKeyParser.SupportedTypes, "ssh-dss", "sk-ssh-ed25519@openssh.com", "x"];

    /// <summary>Valid blobs of every accepted type, the seeds the mutations start from.</summary>
    private static readonly (string Type, byte[] Blob)[] Seeds =
    [
        ("ssh-ed25519", SshKeyBlobs.Ed25519Blob()),
        ("ssh-rsa", SshKeyBlobs.RsaBlob(2048)),
        ("ssh-rsa", SshKeyBlobs.RsaBlob(4096)),
        ("ecdsa-sha2-nistp256", Convert.FromBase64String(
            "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBH9hP4U88USjfBFDWx3BgKe+LFljwteEdI+dcXAo3E0K9L8VGWulzSPxHdV7tTRMdH1GSih/yUtZ84p1M5jMLKc=")),
        ("ecdsa-sha2-nistp521", Convert.FromBase64String(
            "AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBABAGqjF1YQBKFqDOIWe0UbIzgIrtdqd9Jed3fDiDK+8fXeDnTCEmxli/nfyN9jKCq+Kkh9tgtopbUsG/5ikuQYQjwEWgMZct0gSWpCHfutGWxCdcU5n+1KqmOX6zB7tT2lExaCZjh+OYi5C91RL7jMHVEAWbwjoZiXnrWBrJ8qn+Fmobg==")),
    ];

    [Fact]
    public void RandomText_IsReadOrRefused_NeverAnotherException() =>
        Gen.OneOf(
                Gen.String,
                Gen.String[Gen.Char["ssh-ed25519 AQZaz09+/= \t\n\"#,"], 0, 200],
                Gen.Select(Gen.OneOf(Types), Gen.String, (t, rest) => t + " " + rest))
            .Sample(Check, iter: 3000);

    [Fact]
    public void RandomBlobs_BehindEachType_AreReadOrRefused() =>
        Gen.Select(Gen.OneOf(Types), Gen.Byte.Array[0, 600], Gen.String[0, 20], (type, blob, comment) => type + " " + Convert.ToBase64String(blob) + " " + comment)
            .Sample(Check, iter: 3000);

    [Fact]
    public void MutatedValidKeys_AreReadOrRefused_AndWhatIsReadIsConsistent() =>
        Gen.Select(Gen.OneOf(Seeds), Gen.Int[0, 4].Array[1, 4], Gen.Int.Positive, Gen.Byte, (seed, operations, where, value) =>
            {
                var blob = seed.Blob.ToList();
                foreach (var operation in operations)
                {
                    var at = blob.Count == 0 ? 0 : where % blob.Count;
                    switch (operation)
                    {
                        case 0 when blob.Count > 0: blob[at] ^= (byte)(1 << (value % 8)); break;
                        case 1 when blob.Count > 0: blob.RemoveAt(at); break;
                        case 2: blob.Insert(at, value); break;
                        case 3: blob.RemoveRange(at, blob.Count - at); break;
                        default: blob.Add(value); break;
                    }
                }

                return seed.Type + " " + Convert.ToBase64String(blob.ToArray());
            })
            .Sample(Check, iter: 3000);

    [Fact]
    public void TheSeeds_AreValid()
    {
        foreach (var (type, blob) in Seeds)
        {
            Assert.Equal(type, SshPublicKeyParser.Parse(SshKeyBlobs.Line(type, blob)).Type);
        }
    }

    private static void Check(string text)
    {
        SshPublicKey key;
        try
        {
            key = SshPublicKeyParser.Parse(text);
        }
        catch (BerthException refusal)
        {
            Assert.Equal(ErrorKind.Invalid, refusal.Kind);
            Assert.Contains(refusal.Code, Codes);
            Assert.False(string.IsNullOrEmpty(refusal.Reason));
            return;
        }

        // Accepted: the stored form reads back as the same key.
        Assert.Contains(key.Type, SshPublicKeyParser.SupportedTypes);
        Assert.Equal(SshPublicKey.FingerprintOf(key.Blob.Span), key.Fingerprint);
        var again = SshPublicKeyParser.Parse(key.AuthorizedKey);
        Assert.Equal((key.Type, key.Fingerprint, key.Bits), (again.Type, again.Fingerprint, again.Bits));
    }
}
