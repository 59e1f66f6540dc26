using System.Security.Cryptography;

namespace Berth.Core.Ssh;

/// <summary>
/// A validated SSH public key: its type, the wire blob (RFC 4253 §6.6) and what was written after it.
/// <see cref="Fingerprint"/> is what <c>ssh-keygen -lf</c> prints: <c>SHA256:</c> and the unpadded base64 of the blob's hash.
/// </summary>
public sealed class SshPublicKey
{
    internal SshPublicKey(string type, byte[] blob, int bits, string comment)
    {
        Type = type;
        Blob = blob;
        Bits = bits;
        Comment = comment;
        Fingerprint = FingerprintOf(blob);
    }

    public string Type { get; }

    public ReadOnlyMemory<byte> Blob { get; }

    /// <summary>The key size as ssh-keygen reports it (256 for ed25519, the curve for ECDSA, the modulus for RSA).</summary>
    public int Bits { get; }

    /// <summary>The text after the key (trimmed; empty when none).</summary>
    public string Comment { get; }

    public string Fingerprint { get; }

    /// <summary>The key as one authorized_keys entry, without options or comment: <c>type base64</c>.</summary>
    public string AuthorizedKey => Type + " " + Convert.ToBase64String(Blob.Span);

    public static string FingerprintOf(ReadOnlySpan<byte> blob) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
}
