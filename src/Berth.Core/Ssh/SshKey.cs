namespace Berth.Core.Ssh;

/// <summary>
/// A row of Berth's <c>System_SshKeys</c>: a public key a user registered for SSH entry. The key is
/// kept as <c>type base64</c> (no options, no comment); <see cref="Fingerprint"/> is unique per user.
/// </summary>
public sealed class SshKey
{
    public long Id { get; set; }

    public long UserId { get; set; }

    public string Name { get; set; } = "";

    public string KeyType { get; set; } = "";

    public string PublicKey { get; set; } = "";

    /// <summary><c>SHA256:</c> and unpadded base64, as <c>ssh-keygen -lf</c> prints it.</summary>
    public string Fingerprint { get; set; } = "";

    public string CreatedAt { get; set; } = "";

    /// <summary>When the key last proved a login at the SSH entry; empty when never.</summary>
    public string LastUsedAt { get; set; } = "";
}
