using System.Buffers.Binary;
using System.Security.Cryptography;
using Berth.Core.Errors;

namespace Berth.Core.Ssh;

/// <summary>
/// Reads one public key in OpenSSH's authorized_keys form (<c>type base64 [comment]</c>, as in a
/// <c>.pub</c> file). The text is untrusted: every failure is a <see cref="BerthException"/> of kind
/// Invalid with one of <see cref="SshKeyRules"/>' codes and a <c>reason</c>, never anything else.
/// The wire blob is read only as far as needed to know the type and size: it is never handed to a
/// crypto library except to check that an ECDSA point lies on its curve.
/// </summary>
public static class SshPublicKeyParser
{
    private const string Ed25519 = "ssh-ed25519";
    private const string Rsa = "ssh-rsa";

    private static readonly Dictionary<string, (string Curve, ECCurve Named, int Coordinate, int Bits)> Ecdsa = new(StringComparer.Ordinal)
    {
        ["ecdsa-sha2-nistp256"] = ("nistp256", ECCurve.NamedCurves.nistP256, 32, 256),
        ["ecdsa-sha2-nistp384"] = ("nistp384", ECCurve.NamedCurves.nistP384, 48, 384),
        ["ecdsa-sha2-nistp521"] = ("nistp521", ECCurve.NamedCurves.nistP521, 66, 521),
    };

    /// <summary>The types Berth accepts, as the first word of the line.</summary>
    public static IReadOnlyCollection<string> SupportedTypes { get; } = [Ed25519, Rsa, .. Ecdsa.Keys];

    public static SshPublicKey Parse(string? text)
    {
        var line = SingleLine(text);
        var words = line.Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        var type = words[0];
        if (!SupportedTypes.Contains(type))
        {
            throw RefusedFirstWord(type, line);
        }

        if (words.Length < 2)
        {
            throw Fail("format", "The key has a type but no key data after it.");
        }

        var blob = new byte[words[1].Length];
        if (!Convert.TryFromBase64String(words[1], blob, out var length) || length == 0)
        {
            throw Fail("base64", "The key data after the type is not valid base64.");
        }

        var bits = ReadBlob(type, blob.AsSpan(0, length));
        var comment = words.Length > 2 ? words[2].Trim() : "";
        return new SshPublicKey(type, blob[..length], bits, comment);
    }

    private static string SingleLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw Fail("empty", "Paste a public key (the contents of a .pub file, e.g. ~/.ssh/id_ed25519.pub).");
        }

        if (text.Length > SshKeyRules.MaxTextLength)
        {
            throw Fail("length", $"A public key is at most {SshKeyRules.MaxTextLength} characters; this is not one key.");
        }

        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count > 0 && lines[0].Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            throw Fail("private-key", "This is a private key. Paste the public key (the .pub file) and keep the private key to yourself.");
        }

        if (lines.Count > 0 && lines[0].StartsWith("---- BEGIN SSH2 PUBLIC KEY", StringComparison.Ordinal))
        {
            throw Fail("format", "This is the RFC 4716 (PuTTY) form; paste the OpenSSH one-line form (ssh-keygen -i -f key.pub prints it).");
        }

        if (lines.Count != 1)
        {
            throw Fail("multiple", "Paste one key per entry: the text has several lines.");
        }

        var line = lines[0];
        if (line.Any(c => char.IsControl(c) && c != '\t'))
        {
            throw Fail("format", "The key contains control characters.");
        }

        return line;
    }

    /// <summary>The first word is not a supported type: another key type, or options in front of a key.</summary>
    private static BerthException RefusedFirstWord(string first, string line)
    {
        if (first.Contains("-cert-", StringComparison.Ordinal))
        {
            return Unsupported("Certificates are not accepted; paste the plain public key.");
        }

        if (first is "ssh-dss" || first.StartsWith("sk-", StringComparison.Ordinal) || first.StartsWith("ecdsa-sha2-", StringComparison.Ordinal)
            || first.StartsWith("ssh-", StringComparison.Ordinal))
        {
            return Unsupported($"Key type {Shown(first)} is not accepted; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (2048 bits or more).");
        }

        // authorized_keys options come before the type: refused rather than ignored, so what a key
        // may do is decided by Berth alone and nobody believes a from= or command= is in force.
        var words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (words.Skip(1).Any(w => SupportedTypes.Contains(w)))
        {
            return new BerthException(ErrorKind.Invalid, SshKeyRules.OptionsRefused,
                "Options in front of the key (command=, from=, ...) are not accepted; paste the key alone.")
            { Reason = "options" };
        }

        return Fail("format", "This is not an OpenSSH public key: it should start with its type, such as ssh-ed25519.");
    }

    /// <summary>Checks the blob against the type on the line and returns the key's size in bits.</summary>
    private static int ReadBlob(string type, ReadOnlySpan<byte> blob)
    {
        var reader = new WireReader(blob);
        if (!reader.String(out var inner) || !inner.SequenceEqual(System.Text.Encoding.ASCII.GetBytes(type)))
        {
            throw Fail("type-mismatch", "The key data is not a " + type + " key (the type inside does not match).");
        }

        int bits;
        if (type == Ed25519)
        {
            if (!reader.String(out var point) || point.Length != 32)
            {
                throw Fail("blob", "The ed25519 key data is damaged (it must hold a 32-byte key).");
            }

            bits = 256;
        }
        else if (type == Rsa)
        {
            bits = ReadRsa(ref reader);
        }
        else
        {
            bits = ReadEcdsa(type, ref reader);
        }

        if (!reader.AtEnd)
        {
            throw Fail("blob", "The key data has bytes after the key.");
        }

        return bits;
    }

    private static int ReadRsa(ref WireReader reader)
    {
        if (!reader.String(out var exponent) || !Positive(exponent) || exponent.Length > 8 || (exponent[^1] & 1) == 0
            || (exponent.Length == 1 && exponent[0] < 3))
        {
            throw Fail("blob", "The RSA key data is damaged (its public exponent is not valid).");
        }

        if (!reader.String(out var modulus) || !Positive(modulus))
        {
            throw Fail("blob", "The RSA key data is damaged (its modulus is not valid).");
        }

        var bits = BitLength(modulus);
        if (bits > SshKeyRules.MaxRsaBits)
        {
            throw Unsupported($"RSA keys of more than {SshKeyRules.MaxRsaBits} bits are not accepted.");
        }

        if ((modulus[^1] & 1) == 0)
        {
            throw Fail("blob", "The RSA key data is damaged (its modulus is even).");
        }

        if (bits < SshKeyRules.MinRsaBits)
        {
            throw new BerthException(ErrorKind.Invalid, SshKeyRules.TooWeak,
                $"This RSA key has {bits} bits; at least {SshKeyRules.MinRsaBits} are needed (ssh-keygen -t ed25519 makes a better one).")
            { Reason = "rsa-bits" };
        }

        return bits;
    }

    private static int ReadEcdsa(string type, ref WireReader reader)
    {
        var (curve, named, coordinate, bits) = Ecdsa[type];
        if (!reader.String(out var curveName) || !curveName.SequenceEqual(System.Text.Encoding.ASCII.GetBytes(curve)))
        {
            throw Fail("blob", $"The ECDSA key data names another curve than {curve}.");
        }

        if (!reader.String(out var point) || point.Length != 1 + (2 * coordinate) || point[0] != 0x04)
        {
            throw Fail("blob", $"The ECDSA key data is damaged (it must hold an uncompressed {curve} point).");
        }

        var parameters = new ECParameters
        {
            Curve = named,
            Q = new ECPoint { X = point.Slice(1, coordinate).ToArray(), Y = point.Slice(1 + coordinate, coordinate).ToArray() },
        };
        try
        {
            // The library refuses a point that is not on the curve; a key that cannot verify anything is no key.
            using var key = ECDsa.Create();
            key.ImportParameters(parameters);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw Fail("blob", $"The ECDSA key data is damaged (the point is not on the {curve} curve).");
        }

        return bits;
    }

    /// <summary>An SSH mpint that is positive and minimally encoded, as OpenSSH requires.</summary>
    private static bool Positive(ReadOnlySpan<byte> mpint) =>
        mpint.Length > 0 && (mpint[0] & 0x80) == 0 && !(mpint[0] == 0 && (mpint.Length == 1 || (mpint[1] & 0x80) == 0));

    private static int BitLength(ReadOnlySpan<byte> positive)
    {
        var first = positive[0] == 0 ? 1 : 0;
        return ((positive.Length - first - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)positive[first]));
    }

    private static string Shown(string word) => word.Length <= 40 ? word : word[..40] + "…";

    private static BerthException Fail(string reason, string message) =>
        new(ErrorKind.Invalid, SshKeyRules.Invalid, message) { Reason = reason };

    private static BerthException Unsupported(string message) =>
        new(ErrorKind.Invalid, SshKeyRules.Unsupported, message) { Reason = "type" };

    /// <summary>RFC 4251 strings: a big-endian uint32 length and that many bytes, bounded by what is left.</summary>
    private ref struct WireReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly bool AtEnd => _rest.IsEmpty;

        public bool String(out ReadOnlySpan<byte> value)
        {
            value = default;
            if (_rest.Length < 4)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(_rest);
            if (length > (uint)(_rest.Length - 4))
            {
                return false;
            }

            value = _rest.Slice(4, (int)length);
            _rest = _rest[(4 + (int)length)..];
            return true;
        }
    }
}
