namespace Berth.Server.Tests.Faults;

/// <summary>A tmpfs of a few megabytes mounted on a folder of its own, to fill up on purpose; unmounted and removed on dispose.</summary>
internal sealed class SmallDisk : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();

    private SmallDisk()
    {
    }

    public string Path => _directory.Path;

    public static async Task<SmallDisk> MountAsync(int megabytes)
    {
        var disk = new SmallDisk();
        await HostCommand.RunAsync("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", disk.Path);
        return disk;
    }

    /// <summary>Writes a file until the disk refuses more; returns its path (delete it to free the space).</summary>
    public async Task<string> FillAsync()
    {
        var filler = System.IO.Path.Combine(Path, "filler");
        var block = new byte[64 * 1024];
        await using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        try
        {
            // Bounded: a tmpfs of this size is full long before.
            for (var i = 0; i < 100_000; i++)
            {
                await stream.WriteAsync(block);
            }
        }
        catch (IOException)
        {
            return filler;
        }

        throw new InvalidOperationException("The small disk never filled up.");
    }

    public async ValueTask DisposeAsync()
    {
        await HostCommand.RunAsync("umount", Path);
        _directory.Dispose();
    }
}
