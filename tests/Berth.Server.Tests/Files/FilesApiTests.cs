using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Berth.Core.Data;
using Berth.Core.Files;
using Berth.Core.Servers;
using Berth.Server.Tests.Infrastructure;
using Berth.Server.Tests.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Berth.Server.Tests.Files;

/// <summary>The file manager's API on real servers: the escape table, isolation, round trips, limits.</summary>
[Collection(SharedEngine.Name)]
public sealed class FilesApiTests(ServersFixture fixture) : IClassFixture<ServersFixture>
{
    private ServerDirectories Directories => fixture.Host.Services.GetRequiredService<ServerDirectories>();

    [Fact]
    public async Task AnotherUsersServer_AnswersLikeAMissingOne_OnEveryRoute()
    {
        var id = await NewServerAsync("files isolation");
        await File.WriteAllTextAsync(Path.Combine(Directories.Apps(id), "secret.txt"), "alice's");
        foreach (var (client, server) in new[] { (fixture.Bob, id), (fixture.Alice, 999_999L) })
        {
            foreach (var request in AllRoutes(server))
            {
                var response = await client.SendAsync(request);
                await response.AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
            }
        }

        Assert.Equal("alice's", await File.ReadAllTextAsync(Path.Combine(Directories.Apps(id), "secret.txt")));
        Assert.Equal(["secret.txt"], Directory.GetFileSystemEntries(Directories.Apps(id)).Select(Path.GetFileName));
        // The admin sees it.
        var listed = await (await fixture.Admin.GetAsync($"/api/servers/{id}/files?path=/")).JsonAsync();
        Assert.Equal("secret.txt", listed.GetProperty("entries")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task TheEscapeTable_IsAnsweredWithARefusalOrTheServersOwnView_AndTheHostCanaryIsNeverTouched()
    {
        var id = await NewServerAsync("files escapes");
        var apps = Directories.Apps(id);
        var canary = Path.Combine(Directories.Root, $"canary-{id}.txt");
        await File.WriteAllTextAsync(canary, "host secret");
        var canaryTime = File.GetLastWriteTimeUtc(canary);
        var server = ServerContainers.ContainerName(id);
        var engine = fixture.Host.Services.GetRequiredService<ServerContainers>().Host.Containers;

        // Planted the way a tenant would: from its own shell.
        async Task<long> Inside(string script) => (await engine.ExecAsync(server, ["sh", "-c", script], CancellationToken.None)).ExitCode;
        Assert.Equal(0, await Inside($"cd /apps && ln -s / evil && ln -s /etc/shadow shadow && ln -s {canary} canary && ln -s ../../.. up && mkfifo fifo && mkdir sub && echo own > sub/own.txt && ln -s sub rel && ln sub/own.txt hard"));
        // A hard link to a file outside /apps cannot be made from inside: /apps is its own mount.
        Assert.NotEqual(0, await Inside("ln /etc/hostname /apps/hostname-hard"));

        var client = fixture.Alice;
        string Files(string query) => $"/api/servers/{id}/files{query}";
        await (await client.GetAsync(Files("?path=/evil"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.GetAsync(Files("?path=/up"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.GetAsync(Files("?path=/evil/etc"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.GetAsync(Files("/content?path=/shadow"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.GetAsync(Files("/content?path=/canary"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.GetAsync(Files("/text?path=/canary"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.GetAsync(Files("/content?path=/evil/etc/shadow"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.GetAsync(Files($"/content?path=/up/canary-{id}.txt"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.GetAsync(Files($"/content?path=../../canary-{id}.txt"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_INVALID");
        await (await client.GetAsync(Files($"/content?path=%2e%2e/%2e%2e/canary-{id}.txt"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_INVALID");
        await (await client.GetAsync(Files($"/content?path=%252e%252e/canary-{id}.txt"))).AssertProblemAsync(HttpStatusCode.NotFound, "FILE_NOT_FOUND");
        await (await client.GetAsync(Files("/content?path=/etc/shadow"))).AssertProblemAsync(HttpStatusCode.NotFound, "FILE_NOT_FOUND");
        await (await client.GetAsync(Files("/content?path=/fifo"))).AssertProblemAsync(HttpStatusCode.BadRequest, "NOT_A_FILE");
        await (await client.GetAsync(Files("/content?path=/sub/a%0Ab"))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_INVALID");
        await (await client.PutAsync(Files("/content?path=/evil/tmp/x"), new ByteArrayContent("x"u8.ToArray()))).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.PostAsJsonAsync(Files("/folder"), new { path = "/evil/tmp/new" })).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.PostAsJsonAsync(Files("/move"), new { from = "/sub/own.txt", to = "/evil/tmp/stolen" })).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.PostAsJsonAsync(Files("/move"), new { from = $"/up/canary-{id}.txt", to = "/stolen" })).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");
        await (await client.PostAsJsonAsync(Files("/delete"), new { path = $"/up/canary-{id}.txt" })).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_OUTSIDE_APPS");

        // The server's own view: relative links inside /apps, hard links between its own files.
        Assert.Equal("own\n", await client.GetStringAsync(Files("/content?path=/rel/own.txt")));
        Assert.Equal("own\n", await client.GetStringAsync(Files("/content?path=/hard")));
        var root = await (await client.GetAsync(Files("?path=/"))).JsonAsync();
        var entries = root.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Equal("link", entries["evil"].GetProperty("kind").GetString());
        Assert.Equal("/", entries["evil"].GetProperty("linkTarget").GetString());
        Assert.Equal("special", entries["fifo"].GetProperty("kind").GetString());

        // Writing over a link replaces the link; deleting a link deletes the link.
        await (await client.PutAsync(Files("/content?path=/canary"), new ByteArrayContent("tenant text"u8.ToArray()))).AssertStatusAsync(HttpStatusCode.OK);
        await (await client.PostAsJsonAsync(Files("/delete"), new { path = "/evil" })).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await client.PostAsJsonAsync(Files("/delete"), new { path = "/up" })).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal("tenant text", await File.ReadAllTextAsync(Path.Combine(apps, "canary")));

        Assert.Equal("host secret", await File.ReadAllTextAsync(canary));
        Assert.Equal(canaryTime, File.GetLastWriteTimeUtc(canary));
    }

    [Fact]
    public async Task ALinkSwappedInDuringAnUpload_DoesNotRedirectIt()
    {
        var id = await NewServerAsync("files swap");
        var apps = Directories.Apps(id);
        using var host = new TempDirectory("berth-files-host");
        Directory.CreateDirectory(Path.Combine(apps, "target"));
        var gate = new GatedContent("first half|"u8.ToArray(), "second half"u8.ToArray());
        var upload = fixture.Alice.PutAsync($"/api/servers/{id}/files/content?path=/target/file.bin", gate);
        await gate.FirstPartSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // Berth runs in this process: its unnamed upload file shows in /proc/self/fd once it is open.
        var folder = Path.Combine(apps, "target") + "/#";
        await Poll.UntilAsync(
            () => Task.FromResult(new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Any(fd => fd.LinkTarget?.StartsWith(folder, StringComparison.Ordinal) == true)),
            open => open,
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(20));
        Directory.Move(Path.Combine(apps, "target"), Path.Combine(apps, "moved"));
        File.CreateSymbolicLink(Path.Combine(apps, "target"), host.Path);
        gate.Release.SetResult();
        await (await upload).AssertStatusAsync(HttpStatusCode.OK);

        Assert.Empty(Directory.GetFileSystemEntries(host.Path));
        Assert.Equal("first half|second half", await File.ReadAllTextAsync(Path.Combine(apps, "moved", "file.bin")));
    }

    [Fact]
    public async Task UploadAndDownload_RoundTrip_ByteForByte_AsRootInsideTheServer()
    {
        var id = await NewServerAsync("files round trip");
        var bytes = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 17);
        var client = fixture.Alice;
        await (await client.PostAsJsonAsync($"/api/servers/{id}/files/folder", new { path = "/up" })).AssertStatusAsync(HttpStatusCode.Created);
        var put = await client.PutAsync($"/api/servers/{id}/files/content?path=/up/data.bin", new ByteArrayContent(bytes));
        await put.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(bytes.Length, (await put.JsonAsync()).GetProperty("size").GetInt64());

        var engine = fixture.Host.Services.GetRequiredService<ServerContainers>().Host.Containers;
        var sum = await engine.ExecAsync(ServerContainers.ContainerName(id), ["sha256sum", "/apps/up/data.bin"], CancellationToken.None);
        Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(bytes)), sum.StandardOutput, StringComparison.Ordinal);
        var owner = await engine.ExecAsync(ServerContainers.ContainerName(id), ["stat", "-c", "%u:%g %a", "/apps/up/data.bin"], CancellationToken.None);
        Assert.Equal("0:0 644", owner.StandardOutput.Trim());

        Assert.Equal(bytes, await client.GetByteArrayAsync($"/api/servers/{id}/files/content?path=/up/data.bin"));
        using var range = new HttpRequestMessage(HttpMethod.Get, $"/api/servers/{id}/files/content?path=/up/data.bin");
        range.Headers.Range = new RangeHeaderValue(1000, 1009);
        var partial = await client.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes[1000..1010], await partial.Content.ReadAsByteArrayAsync());

        // A folder comes as a tar archive.
        var tar = await client.GetAsync($"/api/servers/{id}/files/content?path=/up");
        await tar.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("application/x-tar", tar.Content.Headers.ContentType?.MediaType);
        await using var reader = new TarReader(await tar.Content.ReadAsStreamAsync());
        var names = new List<string>();
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            names.Add(entry.Name);
            if (entry.Name == "up/data.bin")
            {
                using var copy = new MemoryStream();
                await entry.DataStream!.CopyToAsync(copy);
                Assert.Equal(bytes, copy.ToArray());
            }
        }

        Assert.Equal(["up/", "up/data.bin"], names);
    }

    [Fact]
    public async Task FolderFileMoveDelete_WorkOnAStoppedServer_AndWriteActivityRows()
    {
        var id = await NewServerAsync("files stopped");
        await (await fixture.Alice.PostAsync($"/api/servers/{id}/stop", null)).AssertStatusAsync(HttpStatusCode.OK);
        var client = fixture.Alice;
        string Files(string rest) => $"/api/servers/{id}/files{rest}";
        await (await client.PostAsJsonAsync(Files("/folder"), new { path = "/site" })).AssertStatusAsync(HttpStatusCode.Created);
        await (await client.PostAsJsonAsync(Files("/folder"), new { path = "/site" })).AssertProblemAsync(HttpStatusCode.Conflict, "FILE_EXISTS");
        await (await client.PostAsJsonAsync(Files("/file"), new { path = "/site/index.html" })).AssertStatusAsync(HttpStatusCode.Created);
        await (await client.PutAsync(Files("/content?path=/site/a.txt"), new StringContent("a"))).AssertStatusAsync(HttpStatusCode.OK);
        await (await client.PostAsJsonAsync(Files("/move"), new { from = "/site/a.txt", to = "/site/index.html" })).AssertProblemAsync(HttpStatusCode.Conflict, "FILE_EXISTS");
        await (await client.PostAsJsonAsync(Files("/move"), new { from = "/site", to = "/site/inner" })).AssertProblemAsync(HttpStatusCode.BadRequest, "MOVE_INTO_ITSELF");
        await (await client.PostAsJsonAsync(Files("/move"), new { from = "/site/a.txt", to = "/b.txt" })).AssertStatusAsync(HttpStatusCode.OK);
        await (await client.PostAsJsonAsync(Files("/delete"), new { path = "/" })).AssertProblemAsync(HttpStatusCode.BadRequest, "PATH_IS_APPS");
        await (await client.PostAsJsonAsync(Files("/delete"), new { path = "/site" })).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await client.PostAsJsonAsync(Files("/delete"), new { path = "/site" })).AssertProblemAsync(HttpStatusCode.NotFound, "FILE_NOT_FOUND");
        await (await client.PostAsJsonAsync(Files("/folder"), new { })).AssertProblemAsync(HttpStatusCode.BadRequest, "MISSING_FIELD");

        var listed = await (await client.GetAsync(Files("?path=/"))).JsonAsync();
        Assert.Equal(["b.txt"], listed.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()));

        await using var db = fixture.Host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContext();
        var messages = await db.RecentActivity.Where(a => a.UserId == fixture.AliceId).Select(a => a.Message).ToListAsync();
        Assert.Contains($"File \"/site/a.txt\" uploaded to virtual server #{id}", messages);
        Assert.Contains($"\"/site/a.txt\" renamed to \"/b.txt\" on virtual server #{id}", messages);
        Assert.Contains($"\"/site\" deleted from virtual server #{id}", messages);
    }

    [Fact]
    public async Task AFolderOfTenThousandEntries_IsListedWholeOrInPages()
    {
        var id = await NewServerAsync("files many");
        var many = Path.Combine(Directories.Apps(id), "many");
        Directory.CreateDirectory(Path.Combine(many, "zz-folder"));
        for (var i = 0; i < 10_000; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(many, $"file-{i:D5}.txt"), []);
        }

        var whole = await (await fixture.Alice.GetAsync($"/api/servers/{id}/files?path=/many")).JsonAsync();
        Assert.Equal(10_001, whole.GetProperty("total").GetInt32());
        Assert.Equal(10_000, whole.GetProperty("entries").GetArrayLength());
        // Folders first, then names in order.
        Assert.Equal("zz-folder", whole.GetProperty("entries")[0].GetProperty("name").GetString());

        var last = await (await fixture.Alice.GetAsync($"/api/servers/{id}/files?path=/many&offset=9990&limit=50")).JsonAsync();
        Assert.Equal(Enumerable.Range(9989, 11).Select(i => $"file-{i:D5}.txt"), last.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        await (await fixture.Alice.GetAsync($"/api/servers/{id}/files?path=/many&limit=10001")).AssertProblemAsync(HttpStatusCode.BadRequest, "PAGE_INVALID");
    }

    [Fact]
    public async Task TextEditing_RefusesToSaveOverAFileChangedSinceItWasOpened()
    {
        var id = await NewServerAsync("files text");
        var client = fixture.Alice;
        string Text(string path) => $"/api/servers/{id}/files/text?path={path}";
        var created = await client.PutAsJsonAsync(Text("/compose.yaml"), new { content = "services: {}\n", version = (string?)null });
        await created.AssertStatusAsync(HttpStatusCode.OK);
        await (await client.PutAsJsonAsync(Text("/compose.yaml"), new { content = "again", version = (string?)null })).AssertProblemAsync(HttpStatusCode.Conflict, "TEXT_CHANGED");

        var opened = await (await client.GetAsync(Text("/compose.yaml"))).JsonAsync();
        Assert.Equal("services: {}\n", opened.GetProperty("content").GetString());
        var version = opened.GetProperty("version").GetString();
        var saved = await client.PutAsJsonAsync(Text("/compose.yaml"), new { content = "services:\n  web: {}\n", version });
        await saved.AssertStatusAsync(HttpStatusCode.OK);
        var newVersion = (await saved.JsonAsync()).GetProperty("version").GetString();

        // Someone changes it inside the server; the old version no longer saves.
        var engine = fixture.Host.Services.GetRequiredService<ServerContainers>().Host.Containers;
        Assert.Equal(0, (await engine.ExecAsync(ServerContainers.ContainerName(id), ["sh", "-c", "echo '# by the server' >> /apps/compose.yaml"], CancellationToken.None)).ExitCode);
        await (await client.PutAsJsonAsync(Text("/compose.yaml"), new { content = "mine", version = newVersion })).AssertProblemAsync(HttpStatusCode.Conflict, "TEXT_CHANGED");
        Assert.Equal("services:\n  web: {}\n# by the server\n", await File.ReadAllTextAsync(Path.Combine(Directories.Apps(id), "compose.yaml")));

        await File.WriteAllBytesAsync(Path.Combine(Directories.Apps(id), "binary.bin"), [0x89, 0x50, 0xff, 0xfe, 0x00]);
        await (await client.GetAsync(Text("/binary.bin"))).AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "NOT_TEXT");
        Assert.Empty(Directory.GetFiles(Directories.Apps(id), ".berth-upload-*"));
    }

    [Fact]
    public async Task AnUploadOverTheLimit_Is413_AndLeavesNothing()
    {
        var id = await NewServerAsync("files limit");
        var options = fixture.Host.Services.GetRequiredService<IOptions<FilesOptions>>().Value;
        var previous = options.MaxUploadSize;
        options.MaxUploadSize = 1024 * 1024;
        try
        {
            var apps = Directories.Apps(id);
            await File.WriteAllTextAsync(Path.Combine(apps, "keep.bin"), "old");
            // Declared too large: refused before reading.
            await (await fixture.Alice.PutAsync($"/api/servers/{id}/files/content?path=/keep.bin", new ByteArrayContent(new byte[(1024 * 1024) + 1])))
                .AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "UPLOAD_TOO_LARGE");
            // Not declared (chunked): refused while counting.
            var chunked = new StreamContent(new MemoryStream(new byte[3 * 1024 * 1024]));
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/servers/{id}/files/content?path=/keep.bin") { Content = chunked };
            request.Headers.TransferEncodingChunked = true;
            await (await fixture.Alice.SendAsync(request)).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "UPLOAD_TOO_LARGE");
            Assert.Equal(["keep.bin"], Directory.GetFileSystemEntries(apps).Select(Path.GetFileName));
            Assert.Equal("old", await File.ReadAllTextAsync(Path.Combine(apps, "keep.bin")));
        }
        finally
        {
            options.MaxUploadSize = previous;
        }
    }

    [Fact]
    public async Task AGibibyteUpAndDown_KeepsBerthsMemoryBounded()
    {
        const long size = 1024L * 1024 * 1024;
        var id = await NewServerAsync("files memory");
        using var client = fixture.Host.CreateApiClient();
        client.Timeout = TimeSpan.FromMinutes(5);
        await (await client.PostAsJsonAsync("/api/auth/login", new { email = "alice@example.com", password = ServersFixture.AlicePassword })).AssertStatusAsync(HttpStatusCode.OK);
        ResetPeak();
        var before = Environment.WorkingSet;
        var peakBefore = PeakResident();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var upload = new StreamContent(new PatternStream(size), 256 * 1024);
        upload.Headers.ContentLength = size;
        await (await client.PutAsync($"/api/servers/{id}/files/content?path=/big.bin", upload)).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(size, new FileInfo(Path.Combine(Directories.Apps(id), "big.bin")).Length);
        var afterUpload = PeakResident() - before;
        var uploadTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);

        using var response = await client.GetAsync($"/api/servers/{id}/files/content?path=/big.bin", HttpCompletionOption.ResponseHeadersRead);
        // Not AssertStatusAsync: its message reads the whole body into a string.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var expected = new PatternStream(size);
        var buffer = new byte[256 * 1024];
        var other = new byte[buffer.Length];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            await expected.ReadExactlyAsync(other.AsMemory(0, read));
            Assert.True(buffer.AsSpan(0, read).SequenceEqual(other.AsSpan(0, read)), $"bytes differ near {total}");
            total += read;
        }

        Assert.Equal(size, total);
        var growth = PeakResident() - before;
        Assert.True(growth < 256L * 1024 * 1024, $"the test process (Berth and its client) grew by {growth / (1024 * 1024)} MiB for a 1 GiB round trip (after the upload {afterUpload / (1024 * 1024)} MiB in {uploadTime}; peak before {peakBefore / (1024 * 1024)}, resident before {before / (1024 * 1024)}; total {System.Diagnostics.Stopwatch.GetElapsedTime(started)})");
        File.Delete(Path.Combine(Directories.Apps(id), "big.bin"));
    }

    private async Task<long> NewServerAsync(string name)
    {
        await (await fixture.Admin.PutAsJsonAsync($"/api/users/{fixture.AliceId}/quota", new { maxServers = 50 })).AssertStatusAsync(HttpStatusCode.OK);
        return await ServersFixture.CreateRunningServerAsync(fixture.Alice, name);
    }

    private static IEnumerable<HttpRequestMessage> AllRoutes(long id)
    {
        var files = $"/api/servers/{id}/files";
        yield return new HttpRequestMessage(HttpMethod.Get, $"{files}?path=/");
        yield return new HttpRequestMessage(HttpMethod.Get, $"{files}/content?path=/secret.txt");
        yield return new HttpRequestMessage(HttpMethod.Get, $"{files}/content?path=/");
        yield return new HttpRequestMessage(HttpMethod.Put, $"{files}/content?path=/x.txt") { Content = new StringContent("x") };
        yield return new HttpRequestMessage(HttpMethod.Get, $"{files}/text?path=/secret.txt");
        yield return new HttpRequestMessage(HttpMethod.Put, $"{files}/text?path=/secret.txt") { Content = JsonContent.Create(new { content = "x", version = "v" }) };
        yield return new HttpRequestMessage(HttpMethod.Post, $"{files}/folder") { Content = JsonContent.Create(new { path = "/new" }) };
        yield return new HttpRequestMessage(HttpMethod.Post, $"{files}/file") { Content = JsonContent.Create(new { path = "/new.txt" }) };
        yield return new HttpRequestMessage(HttpMethod.Post, $"{files}/move") { Content = JsonContent.Create(new { from = "/secret.txt", to = "/moved.txt" }) };
        yield return new HttpRequestMessage(HttpMethod.Post, $"{files}/delete") { Content = JsonContent.Create(new { path = "/secret.txt" }) };
    }

    /// <summary>Resets the kernel's peak-RSS mark of this process (clear_refs 5), so the peak measured is this test's.</summary>
    private static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long PeakResident()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>An upload body that sends its first part, then waits to be released.</summary>
    private sealed class GatedContent(byte[] first, byte[] second) : HttpContent
    {
        public TaskCompletionSource FirstPartSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(first);
            await stream.FlushAsync();
            FirstPartSent.TrySetResult();
            await Release.Task;
            await stream.WriteAsync(second);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = first.Length + second.Length;
            return true;
        }
    }

    /// <summary>A long, non-repeating-looking byte sequence generated on the fly (never held whole in memory).</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                var p = _position + i;
                buffer[offset + i] = (byte)((p * 31) ^ (p >> 11) ^ (p >> 23));
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
