using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Berth.Core.Servers;

namespace Berth.Core.Ssh;

/// <summary>
/// The keys of the SSH entry, kept in the data root (<c>_DATA/ssh</c>, mode 0600) and made once, so
/// that the fingerprints users pinned survive restarts, upgrades and restores:
/// <list type="bullet">
/// <item>the entry's host keys (ECDSA P-256 and RSA 3072), what users' clients see;</item>
/// <item>the entry key, with which the entry logs in to a server's own sshd as root;</item>
/// <item>per server, in the folder mounted read-only into it: the host key its sshd presents to the
/// entry (the entry pins it) and an authorized_keys file naming the entry key.</item>
/// </list>
/// </summary>
public sealed class SshEntryKeys(ServersOptions servers, EngineCredentials credentials)
{
    /// <summary>In a server's platform folder: the host key its sshd presents to the entry.</summary>
    public const string ServerHostKeyFile = "ssh_host_ecdsa_key";

    /// <summary>In a server's platform folder: the key its sshd accepts from the entry.</summary>
    public const string ServerAuthorizedKeysFile = "ssh_authorized_keys";

    private const string EcdsaType = "ecdsa-sha2-nistp256";
    private readonly Lazy<Material> _material = new(() => LoadOrCreate(Path.Combine(Path.GetFullPath(servers.DataRoot), "_DATA", "ssh")));

    /// <summary>The entry's host keys as PEM (what the gateway serves).</summary>
    public IReadOnlyList<string> HostKeysPem => [_material.Value.EcdsaHostKey, _material.Value.RsaHostKey];

    /// <summary>The entry key as PEM (the gateway logs in to servers with it).</summary>
    public string EntryKeyPem => _material.Value.EntryKey;

    /// <summary>The host keys' fingerprints as <c>ssh-keygen -lf</c> prints them, with their types.</summary>
    public IReadOnlyList<string> Fingerprints => _material.Value.Fingerprints;

    /// <summary>The host keys' public halves as <c>type base64</c> (a known_hosts entry after the host name).</summary>
    public IReadOnlyList<string> HostKeyLines => _material.Value.HostKeyLines;

    /// <summary>Writes a server's host key (once) and the entry's authorized key (each time) into its platform folder.</summary>
    public void EnsureServerMaterial(long serverId)
    {
        var folder = credentials.ServerFolder(serverId);
        Directory.CreateDirectory(folder);
        var hostKey = Path.Combine(folder, ServerHostKeyFile);
        if (!File.Exists(hostKey))
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            PrivateFile.Write(hostKey, key.ExportECPrivateKeyPem());
        }

        // Only the entry key, only as root, with a terminal and ssh -L; no agent, X11 or user rc.
        var line = $"restrict,pty,port-forwarding {EcdsaType} {Convert.ToBase64String(_material.Value.EntryPublicBlob)} berth-ssh-entry\n";
        var authorized = Path.Combine(folder, ServerAuthorizedKeysFile);
        if (!File.Exists(authorized) || File.ReadAllText(authorized) != line)
        {
            File.WriteAllText(authorized, line);
        }
    }

    /// <summary>The wire form (base64) of the host key a server's sshd presents to the entry; null before the server has one.</summary>
    public string? ServerHostKey(long serverId)
    {
        var path = Path.Combine(credentials.ServerFolder(serverId), ServerHostKeyFile);
        if (!File.Exists(path))
        {
            return null;
        }

        using var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(path));
        return Convert.ToBase64String(EcdsaBlob(key));
    }

    private static Material LoadOrCreate(string folder)
    {
        Directory.CreateDirectory(folder);
        var ecdsaPath = Path.Combine(folder, "ssh_host_ecdsa_key");
        var rsaPath = Path.Combine(folder, "ssh_host_rsa_key");
        var entryPath = Path.Combine(folder, "entry_key");
        using var ecdsa = LoadOrCreateEcdsa(ecdsaPath);
        using var entry = LoadOrCreateEcdsa(entryPath);
        using var rsa = RSA.Create();
        if (File.Exists(rsaPath))
        {
            rsa.ImportFromPem(File.ReadAllText(rsaPath));
        }
        else
        {
            rsa.KeySize = 3072;
            PrivateFile.Write(rsaPath, rsa.ExportRSAPrivateKeyPem());
        }

        return new Material(
            File.ReadAllText(ecdsaPath),
            File.ReadAllText(rsaPath),
            File.ReadAllText(entryPath),
            EcdsaBlob(entry),
            [$"ECDSA {SshPublicKey.FingerprintOf(EcdsaBlob(ecdsa))}", $"RSA {SshPublicKey.FingerprintOf(RsaBlob(rsa))}"],
            [$"{EcdsaType} {Convert.ToBase64String(EcdsaBlob(ecdsa))}", $"ssh-rsa {Convert.ToBase64String(RsaBlob(rsa))}"]);
    }

    private static ECDsa LoadOrCreateEcdsa(string path)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        else
        {
            PrivateFile.Write(path, key.ExportECPrivateKeyPem());
        }

        return key;
    }

    /// <summary>RFC 5656 §3.1: string type, string "nistp256", string Q (uncompressed point).</summary>
    private static byte[] EcdsaBlob(ECDsa key)
    {
        var point = key.ExportParameters(false).Q;
        var q = new byte[1 + point.X!.Length + point.Y!.Length];
        q[0] = 4;
        point.X.CopyTo(q, 1);
        point.Y.CopyTo(q, 1 + point.X.Length);
        return Wire([Encoding.ASCII.GetBytes(EcdsaType), Encoding.ASCII.GetBytes("nistp256"), q]);
    }

    /// <summary>RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n.</summary>
    private static byte[] RsaBlob(RSA key)
    {
        var parameters = key.ExportParameters(false);
        return Wire([Encoding.ASCII.GetBytes("ssh-rsa"), Mpint(parameters.Exponent!), Mpint(parameters.Modulus!)]);
    }

    private static byte[] Mpint(byte[] unsigned) =>
        unsigned.Length > 0 && unsigned[0] >= 0x80 ? [0, .. unsigned] : unsigned;

    private static byte[] Wire(IReadOnlyList<byte[]> fields)
    {
        var result = new byte[fields.Sum(f => 4 + f.Length)];
        var offset = 0;
        foreach (var field in fields)
        {
            BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(offset), field.Length);
            field.CopyTo(result, offset + 4);
            offset += 4 + field.Length;
        }

        return result;
    }

    private sealed record Material(string EcdsaHostKey, string RsaHostKey, string EntryKey, byte[] EntryPublicBlob, IReadOnlyList<string> Fingerprints, IReadOnlyList<string> HostKeyLines);
}
