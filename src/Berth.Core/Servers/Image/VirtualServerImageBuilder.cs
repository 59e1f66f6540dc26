using System.Diagnostics;
using Berth.Core.Hosting;
using Berth.Docker;

namespace Berth.Core.Servers.Image;

/// <summary>What an image build did.</summary>
public sealed record ImageBuildResult(string Reference, bool Built, long SizeBytes, TimeSpan Duration);

/// <summary>
/// Builds the virtual-server image with no registry: debootstrap makes a Debian root filesystem
/// in a scratch folder, the entrypoint is added, and tar streams the tree into the engine's image
/// import. Skipped when the engine already has the tag of the current definition.
/// </summary>
public sealed class VirtualServerImageBuilder(HostTools tools, TimeProvider time)
{
    /// <summary>Ensures <see cref="VirtualServerImage.Reference"/> exists in <paramref name="engine"/>.</summary>
    /// <param name="engine">The engine that will run virtual servers.</param>
    /// <param name="mirror">Debian mirror URL; see <see cref="AptMirror.Detect"/>.</param>
    /// <param name="progress">Receives human-readable progress lines.</param>
    /// <param name="force">Rebuild even when the tag exists.</param>
    /// <param name="cancellationToken">Stops the build (the scratch folder is still removed).</param>
    public async Task<ImageBuildResult> EnsureAsync(DockerEngine engine, string mirror, IProgress<string> progress, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(progress);
        var started = time.GetTimestamp();
        var reference = VirtualServerImage.Reference;
        if (!force && await engine.Images.InspectAsync(reference, cancellationToken) is { } existing)
        {
            progress.Report($"Image {reference} is up to date ({Megabytes(existing.Size)} MB).");
            return new ImageBuildResult(reference, false, existing.Size, time.GetElapsedTime(started));
        }

        if (!Uri.TryCreate(mirror, UriKind.Absolute, out var mirrorUri) || mirrorUri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"Mirror '{mirror}' is not an http(s) URL.", nameof(mirror));
        }

        foreach (var tool in new[] { HostTool.Debootstrap, HostTool.Chroot, HostTool.Tar })
        {
            if (HostTools.Locate(tool) is null)
            {
                throw new InvalidOperationException($"Building the image needs {tool.ToString().ToLowerInvariant()} (Debian package {tool.ToString().ToLowerInvariant()}).");
            }
        }

        var scratch = Directory.CreateTempSubdirectory("berth-image-");
        var rootfs = Path.Combine(scratch.FullName, "rootfs");
        try
        {
            progress.Report($"Building {reference}: debootstrap {VirtualServerImage.Suite} ({VirtualServerImage.Variant}) from {mirror}");
            var bootstrap = await tools.RunAsync(
                HostTool.Debootstrap,
                [
                    $"--variant={VirtualServerImage.Variant}",
                    $"--include={string.Join(',', VirtualServerImage.Packages)}",
                    VirtualServerImage.Suite,
                    rootfs,
                    mirrorUri.ToString(),
                ],
                line => ReportBootstrapLine(line, progress),
                cancellationToken);
            if (bootstrap.ExitCode != 0)
            {
                throw new InvalidOperationException($"debootstrap failed (exit {bootstrap.ExitCode}):\n{bootstrap.ErrorTail}");
            }

            progress.Report($"Installing {string.Join(", ", VirtualServerImage.NewerPackages)} from {VirtualServerImage.NewerSuite} (signed, pinned low)");
            await InstallNewerPackagesAsync(rootfs, mirrorUri, progress, cancellationToken);

            progress.Report("Adding the entrypoint and pruning caches");
            Customise(rootfs);

            progress.Report($"Importing into the engine as {reference}");
            var tar = await tools.RunStreamingAsync(
                HostTool.Tar,
                ["--create", "--file=-", "--numeric-owner", "--xattrs", "--one-file-system", $"--directory={rootfs}", "."],
                (stream, ct) => engine.Images.ImportRootfsAsync(stream, VirtualServerImage.Repository, VirtualServerImage.Tag, VirtualServerImage.ImageChanges, ct),
                cancellationToken);
            if (tar.ExitCode != 0)
            {
                // The engine may have tagged a truncated tree; never let a later run take it for the real image.
                await engine.Images.RemoveAsync(reference, CancellationToken.None);
                throw new InvalidOperationException($"tar failed (exit {tar.ExitCode}):\n{tar.ErrorTail}");
            }

            var image = await engine.Images.InspectAsync(reference, cancellationToken)
                ?? throw new InvalidOperationException($"The engine did not keep {reference} after the import.");
            var elapsed = time.GetElapsedTime(started);
            progress.Report($"Built {reference} ({Megabytes(image.Size)} MB) in {elapsed.TotalSeconds:0} s.");
            return new ImageBuildResult(reference, true, image.Size, elapsed);
        }
        finally
        {
            await RemoveScratchAsync(scratch.FullName);
        }
    }

    /// <summary>
    /// Installs <see cref="VirtualServerImage.NewerPackages"/> the Debian way, inside the tree: a
    /// temporary apt source for <see cref="VirtualServerImage.NewerSuite"/> checked against the tree's
    /// own archive keyring, pinned below bookworm so that nothing else is taken from it, then the
    /// source and the pin are removed again (the lists and caches go with the pruning).
    /// </summary>
    private async Task InstallNewerPackagesAsync(string rootfs, Uri mirror, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var source = Path.Combine(rootfs, "etc", "apt", "sources.list.d", $"berth-{VirtualServerImage.NewerSuite}.sources");
        var pin = Path.Combine(rootfs, "etc", "apt", "preferences.d", $"berth-{VirtualServerImage.NewerSuite}");
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        Directory.CreateDirectory(Path.GetDirectoryName(pin)!);
        await File.WriteAllTextAsync(source, NewerSuiteSource(mirror), cancellationToken);
        await File.WriteAllTextAsync(pin, $"Package: *\nPin: release n={VirtualServerImage.NewerSuite}\nPin-Priority: 100\n", cancellationToken);
        try
        {
            await RunAptAsync(rootfs, ["-o", "Acquire::Languages=none", "update"], progress, cancellationToken);
            await RunAptAsync(
                rootfs,
                ["-y", "-o", "Dpkg::Use-Pty=0", "--no-install-recommends", "install", .. VirtualServerImage.NewerPackages.Select(p => $"{p}/{VirtualServerImage.NewerSuite}")],
                progress,
                cancellationToken);
        }
        finally
        {
            File.Delete(source);
            File.Delete(pin);
        }

        if (!File.Exists(Path.Combine(rootfs, VirtualServerImage.ComposePluginPath.TrimStart('/'))))
        {
            throw new InvalidOperationException($"apt installed {string.Join(", ", VirtualServerImage.NewerPackages)} but {VirtualServerImage.ComposePluginPath} is missing.");
        }
    }

    /// <summary>A deb822 source for the newer suite on the same mirror, trusting the tree's archive keyring only.</summary>
    internal static string NewerSuiteSource(Uri mirror)
    {
        ArgumentNullException.ThrowIfNull(mirror);

        // The URL goes into a config file: only a plain http(s) URL, which cannot carry a line break or a second field.
        if (mirror.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(mirror.UserInfo) || !string.IsNullOrEmpty(mirror.Query)
            || !string.IsNullOrEmpty(mirror.Fragment) || mirror.AbsoluteUri.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ArgumentException($"Mirror '{mirror}' is not a plain http(s) URL.", nameof(mirror));
        }

        return $"Types: deb\nURIs: {mirror.AbsoluteUri}\nSuites: {VirtualServerImage.NewerSuite}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n";
    }

    private async Task RunAptAsync(string rootfs, IReadOnlyList<string> arguments, IProgress<string> progress, CancellationToken cancellationToken)
    {
        // env sets the frontend inside the tree; apt-get itself is the tree's own.
        var result = await tools.RunAsync(
            HostTool.Chroot,
            [rootfs, "/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", "/usr/bin/apt-get", "-q", .. arguments],
            line => ReportAptLine(line, progress),
            cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"apt-get {string.Join(' ', arguments)} in the image failed (exit {result.ExitCode}):\n{result.ErrorTail}");
        }
    }

    private static void ReportAptLine(string line, IProgress<string> progress)
    {
        // Keep what was fetched and installed and every warning or error; drop apt's chatter.
        if (line.StartsWith("Get:", StringComparison.Ordinal) || line.StartsWith("Setting up", StringComparison.Ordinal)
            || line.StartsWith("E:", StringComparison.Ordinal) || line.StartsWith("W:", StringComparison.Ordinal) || line.StartsWith("Err:", StringComparison.Ordinal))
        {
            progress.Report($"  {line}");
        }
    }

    private static void Customise(string rootfs)
    {
        var entrypoint = Path.Combine(rootfs, VirtualServerImage.EntrypointPath.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(entrypoint)!);
        File.WriteAllText(entrypoint, VirtualServerImage.Entrypoint);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The virtual-server image is built on Linux.");
        }

        File.SetUnixFileMode(entrypoint, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Directory.CreateDirectory(Path.Combine(rootfs, VirtualServerImage.TlsDirectory.TrimStart('/')));

        foreach (var relative in VirtualServerImage.Pruned)
        {
            var path = Path.Combine(rootfs, relative);
            if (File.Exists(path))
            {
                File.Delete(path);
                continue;
            }

            var folder = new DirectoryInfo(path);
            if (!folder.Exists || folder.LinkTarget is not null)
            {
                continue;
            }

            foreach (var entry in folder.EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo { LinkTarget: null } directory)
                {
                    directory.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
        }

        foreach (var key in Directory.EnumerateFiles(Path.Combine(rootfs, "etc", "ssh"), "ssh_host_*"))
        {
            File.Delete(key);
        }
    }

    private static void ReportBootstrapLine(string line, IProgress<string> progress)
    {
        // debootstrap reports one "I: Retrieving/Validating/Unpacking x" line per package: keep the stage changes and problems only.
        if (line.StartsWith("I: Retrieving", StringComparison.Ordinal) || line.StartsWith("I: Validating", StringComparison.Ordinal)
            || line.StartsWith("I: Extracting", StringComparison.Ordinal) || line.StartsWith("I: Unpacking", StringComparison.Ordinal)
            || line.StartsWith("I: Configuring", StringComparison.Ordinal))
        {
            return;
        }

        progress.Report($"  {line}");
    }

    /// <summary>
    /// debootstrap mounts /proc and /sys inside the tree; after a failure they may still be there,
    /// and a recursive delete must never walk into them. Unmount first, then delete.
    /// </summary>
    private async Task RemoveScratchAsync(string scratch)
    {
        var prefix = scratch.TrimEnd('/') + "/";
        var mounts = File.ReadAllLines("/proc/self/mounts")
            .Select(l => l.Split(' '))
            .Where(f => f.Length > 1)
            .Select(f => f[1].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(m => m.StartsWith(prefix, StringComparison.Ordinal))
            .OrderByDescending(m => m.Length)
            .ToList();
        foreach (var mount in mounts)
        {
            await tools.RunAsync(HostTool.Umount, ["--lazy", mount], onLine: null, CancellationToken.None);
        }

        var remaining = File.ReadAllLines("/proc/self/mounts").Any(l => l.Split(' ') is { Length: > 1 } f && f[1].StartsWith(prefix, StringComparison.Ordinal));
        if (remaining)
        {
            Trace.TraceWarning($"Leaving {scratch} in place: something is still mounted inside it.");
            return;
        }

        try
        {
            Directory.Delete(scratch, recursive: true);
        }
        catch (IOException)
        {
            // A scratch folder left in the temp folder is harmless; the build result stands.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long Megabytes(long bytes) => bytes / 1_000_000;
}
