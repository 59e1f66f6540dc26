using System.Buffers.Binary;
using System.Text;

namespace Berth.Core.Tests.Ssh;

/// <summary>Wire blobs (RFC 4251 strings) built by hand, for keys ssh-keygen will not make.</summary>
internal static class SshKeyBlobs
{
    public static byte[] Of(params object[] parts)
    {
        var blob = new List<byte>();
        foreach (var part in parts)
        {
            var bytes = part switch
            {
                string text => Encoding.ASCII.GetBytes(text),
                byte[] raw => raw,
                _ => throw new ArgumentException("string or byte[]", nameof(parts)),
            };
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
            blob.AddRange(length);
            blob.AddRange(bytes);
        }

        return [.. blob];
    }

    public static string Line(string type, byte[] blob, string comment = "") =>
        (type + " " + Convert.ToBase64String(blob) + " " + comment).Trim();

    public static byte[] Ed25519Blob(byte fill = 7) => Of("ssh-ed25519", Enumerable.Repeat(fill, 32).ToArray());

    /// <summary>An RSA blob whose modulus has exactly <paramref name="bits"/> bits (odd, top bit set).</summary>
    public static byte[] RsaBlob(int bits)
    {
        var modulus = new byte[(bits + 7) / 8];
        Array.Fill(modulus, (byte)0x5B);
        var topBits = bits % 8 == 0 ? 8 : bits % 8;
        modulus[0] = (byte)(1 << (topBits - 1));
        modulus[^1] |= 1;
        // An mpint whose top bit is set gets a zero byte in front, as OpenSSH writes it.
        var mpint = (modulus[0] & 0x80) != 0 ? [0, .. modulus] : modulus;
        return Of("ssh-rsa", new byte[] { 1, 0, 1 }, mpint);
    }
}
