using System.Security.Cryptography;
using System.Text;

namespace Berth.Core.Servers.Image;

/// <summary>
/// The definition of the virtual-server image: a Debian root filesystem with Docker and sshd,
/// plus the entrypoint. Its tag is a hash of this definition, so a changed definition means a
/// new tag and an unchanged one is never rebuilt.
/// </summary>
public static class VirtualServerImage
{
    public const string Repository = "berth/virtual-server";
    public const string Suite = "bookworm";
    public const string Variant = "minbase";
    public const string EntrypointPath = "/usr/local/sbin/berth-entrypoint";

    /// <summary>Folder inside the server where its engine's TLS material is mounted read-only.</summary>
    public const string TlsDirectory = "/etc/berth/engine-tls";
    public const string TlsAuthorityFile = "ca.pem";
    public const string TlsCertificateFile = "cert.pem";
    public const string TlsKeyFile = "key.pem";

    /// <summary>Port of the inner engine's mutual-TLS listener.</summary>
    public const int EnginePort = 2376;

    public static readonly IReadOnlyList<string> Packages = ["docker.io", "openssh-server", "rsync", "iproute2", "iptables", "ca-certificates"];

    /// <summary>
    /// The Debian release that <see cref="NewerPackages"/> come from. Bookworm's docker-compose is
    /// the old Python v1; trixie's is Compose v2, a Go binary needing only bookworm's libc. The
    /// archive signs trixie with bookworm's automatic key too, and bookworm's debian-archive-keyring
    /// carries trixie's keys, so apt checks these packages like any other.
    /// </summary>
    public const string NewerSuite = "trixie";

    /// <summary>Packages installed from <see cref="NewerSuite"/> (only these; everything else stays bookworm).</summary>
    public static readonly IReadOnlyList<string> NewerPackages = ["docker-compose"];

    /// <summary>Where Compose v2 must end up: the Docker CLI's plugin folder, so that <c>docker compose</c> works.</summary>
    public const string ComposePluginPath = "/usr/libexec/docker/cli-plugins/docker-compose";

    /// <summary>Dockerfile-style settings applied on import.</summary>
    public static readonly IReadOnlyList<string> ImageChanges =
    [
        $"ENTRYPOINT [\"{EntrypointPath}\"]",
        "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        $"EXPOSE 22 {EnginePort}",
    ];

    /// <summary>Paths (inside the root filesystem) emptied (folders) or removed (files) before import: caches, lists, docs.</summary>
    public static readonly IReadOnlyList<string> Pruned =
    [
        "var/cache/apt/archives", "var/cache/apt/pkgcache.bin", "var/cache/apt/srcpkgcache.bin", "var/lib/apt/lists",
        "usr/share/doc", "usr/share/man", "usr/share/info", "var/log",
    ];

    private static readonly Lazy<string> EntrypointText = new(() =>
    {
        using var stream = typeof(VirtualServerImage).Assembly.GetManifestResourceStream("Berth.Core.Servers.Image.entrypoint.sh")
            ?? throw new InvalidOperationException("The entrypoint resource is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    private static readonly Lazy<string> DefinitionHash = new(() =>
    {
        var definition = new StringBuilder()
            .AppendLine(Suite).AppendLine(Variant)
            .AppendJoin(',', Packages).AppendLine()
            .AppendLine(NewerSuite).AppendJoin(',', NewerPackages).AppendLine()
            .AppendJoin('\n', ImageChanges).AppendLine()
            .AppendJoin(',', Pruned).AppendLine()
            .AppendLine(EntrypointPath)
            .Append(EntrypointText.Value);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(definition.ToString())));
    });

    /// <summary>The entrypoint script's text.</summary>
    public static string Entrypoint => EntrypointText.Value;

    /// <summary>Version tag: the first 12 hex digits of the definition's SHA-256.</summary>
    public static string Tag => DefinitionHash.Value[..12];

    /// <summary><c>berth/virtual-server:&lt;tag&gt;</c>.</summary>
    public static string Reference => $"{Repository}:{Tag}";
}
