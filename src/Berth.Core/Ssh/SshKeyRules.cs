namespace Berth.Core.Ssh;

/// <summary>The machine codes and limits of SSH public keys (API, panel and docs/ssh.md use the same ones).</summary>
public static class SshKeyRules
{
    /// <summary>Not a usable OpenSSH public key line; <c>reason</c> says which rule refused it.</summary>
    public const string Invalid = "SSH_KEY_INVALID";

    /// <summary>A key type Berth does not accept (DSA, certificates, security keys, unknown names).</summary>
    public const string Unsupported = "SSH_KEY_UNSUPPORTED";

    /// <summary>An RSA key shorter than <see cref="MinRsaBits"/>.</summary>
    public const string TooWeak = "SSH_KEY_TOO_WEAK";

    /// <summary>authorized_keys options (<c>command=</c>, <c>from=</c>, ...) in front of the key: Berth decides what a key may do.</summary>
    public const string OptionsRefused = "SSH_KEY_OPTIONS_REFUSED";

    /// <summary>The same key is already in the account (409).</summary>
    public const string Duplicate = "SSH_KEY_DUPLICATE";

    /// <summary>The account holds <see cref="MaxKeysPerUser"/> keys already.</summary>
    public const string Limit = "SSH_KEY_LIMIT";

    public const string NameInvalid = "SSH_KEY_NAME_INVALID";

    public const string NotFound = "SSH_KEY_NOT_FOUND";

    public const int MinRsaBits = 2048;

    /// <summary>OpenSSH's own ceiling for RSA moduli (SSHBUF_MAX_BIGNUM).</summary>
    public const int MaxRsaBits = 16384;

    /// <summary>Far above a 16384-bit RSA line (about 2.8 KB); anything longer is not one key.</summary>
    public const int MaxTextLength = 16 * 1024;

    public const int MaxNameLength = 100;

    public const int MaxKeysPerUser = 50;
}
