using Berth.Core.Ssh;

namespace Berth.Server.Api.Contracts;

/// <summary>
/// Body of adding an SSH key: <c>publicKey</c> is one line of a <c>.pub</c> file (ed25519, ecdsa
/// nistp256/384/521 or rsa of 2048 bits or more; options in front are refused). <c>name</c> left out
/// takes the key's comment.
/// </summary>
public sealed record SshKeyRequest(string? Name, string? PublicKey);

/// <summary>A registered key; <c>fingerprint</c> as <c>ssh-keygen -lf</c> prints it (SHA256:...).</summary>
public sealed record SshKeyResponse(long Id, string Name, string KeyType, string Fingerprint, DateTimeOffset? CreatedAt, DateTimeOffset? LastUsedAt)
{
    public static SshKeyResponse From(SshKeyView view) => new(
        view.Id, view.Name, view.KeyType, view.Fingerprint, Fields.Time(view.CreatedAt), Fields.Time(view.LastUsedAt));
}
