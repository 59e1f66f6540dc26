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

        foreach (var tool in new[] { HostTool.Debootstrap, HostTool.Tar })
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
            var folder = new DirectoryInfo(Path.Combine(rootfs, relative));
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
