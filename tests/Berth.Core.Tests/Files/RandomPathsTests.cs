using System.Text;
using Berth.Core.Errors;
using Berth.Core.Files;

namespace Berth.Core.Tests.Files;

/// <summary>
/// Random paths built from the pieces escapes are made of (<c>..</c>, links to the host, to another
/// server, FIFOs, control characters, encoded dots), thrown at every operation: each answers or
/// refuses with a <see cref="BerthException"/>, and nothing outside <c>SERVERS/1/apps</c> changes.
/// The seed is printed on failure to replay it.
/// </summary>
public sealed class RandomPathsTests
{
    private static readonly string[] Pieces =
        ["..", ".", "", "evil", "up", "other", "canary", "shadow", "rel", "sub", "file.txt", "fifo", "hard", "etc", "tmp", "%2e%2e", "a\nb", "x\0", "apps", "SERVERS", "1", "2", "new"];

    [Fact]
    public async Task NothingOutsideTheRootIsEverTouched()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        using var host = new HostFixture();
        using var folder = ServerFolder.Open(host.Apps);
        var answered = 0;
        var refused = 0;
        for (var i = 0; i < 3000; i++)
        {
            var path = RandomPath(random);
            try
            {
                await DoAsync(folder, random.Next(9), AppsPath.Parse(path), AppsPath.Parse(RandomPath(random)));
                answered++;
            }
            catch (BerthException)
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, step {i}, path {Encoding.UTF8.GetBytes(path).Length} bytes \"{path}\": {e}");
            }
        }

        Assert.True(answered > 100 && refused > 100, $"seed {seed}: {answered} answered, {refused} refused");
        Assert.Equal(host.Snapshot, host.TakeSnapshot());
        Assert.Equal("host secret", await File.ReadAllTextAsync(host.Canary));
    }

    private static string RandomPath(Random random)
    {
        var count = random.Next(1, 5);
        var parts = Enumerable.Range(0, count).Select(_ => Pieces[random.Next(Pieces.Length)]);
        return (random.Next(2) == 0 ? "/" : "") + string.Join('/', parts);
    }

    private static async Task DoAsync(ServerFolder folder, int operation, AppsPath path, AppsPath other)
    {
        switch (operation)
        {
            case 0:
                folder.List(path);
                break;
            case 1:
                folder.Stat(path);
                break;
            case 2:
                await using (folder.OpenRead(path).Stream)
                {
                }

                break;
            case 3:
                using (var upload = folder.BeginUpload(path))
                {
                    upload.Write("written"u8);
                    upload.Commit();
                }

                break;
            case 4:
                folder.CreateFolder(path);
                break;
            case 5:
                folder.CreateFile(path);
                break;
            case 6:
                folder.Move(path, other);
                break;
            case 7:
                await FolderArchive.WriteAsync(folder, path, Stream.Null, CancellationToken.None);
                break;
            default:
                // Deletes are rarer, or the tree would soon be empty.
                if (path.Names.Count > 1)
                {
                    folder.Delete(path);
                }

                break;
        }
    }
}
