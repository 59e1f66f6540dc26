using System.Buffers;
using System.Text;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Berth.Core.Servers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Core.Files;

/// <summary>
/// The file manager's use cases over a server's <c>/apps</c>, for its owner or an admin (anyone
/// else gets the 404 of a missing server). Works whether the server runs or not: it never asks the
/// engine, only the host folder through <see cref="ServerFolder"/>.
/// </summary>
public sealed class FilesService(
    BerthDbContext db,
    ServersService servers,
    ServerDirectories directories,
    ActivityLog activity,
    IOptions<FilesOptions> options,
    ILogger<FilesService> logger)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public FilesOptions Options => options.Value;

    public async Task<FolderPage> ListAsync(long actorId, bool isAdmin, long serverId, string? path, int offset, int? limit, CancellationToken cancellationToken)
    {
        var appsPath = AppsPath.Parse(path);
        var size = limit ?? Options.MaxPageSize;
        if (offset < 0 || size < 1 || size > Options.MaxPageSize)
        {
            throw BerthException.Invalid("PAGE_INVALID", $"offset must be 0 or more and limit between 1 and {Options.MaxPageSize}.");
        }

        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        var entries = Guard(serverId, appsPath, () => folder.List(appsPath));
        entries.Sort((a, b) => a.Kind == FileKind.Folder != (b.Kind == FileKind.Folder)
            ? a.Kind == FileKind.Folder ? -1 : 1
            : string.CompareOrdinal(a.Name, b.Name));
        return new FolderPage(appsPath.ToString(), entries.Count, offset, entries.Skip(offset).Take(size).ToList());
    }

    public async Task<FileEntry> StatAsync(long actorId, bool isAdmin, long serverId, string? path, CancellationToken cancellationToken)
    {
        var appsPath = AppsPath.Parse(path);
        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        return Guard(serverId, appsPath, () => folder.Stat(appsPath));
    }

    /// <summary>A file to stream, or null when <paramref name="path"/> is a folder (then use <see cref="WriteArchiveAsync"/>).</summary>
    public async Task<FileDownload?> OpenFileAsync(long actorId, bool isAdmin, long serverId, string? path, CancellationToken cancellationToken)
    {
        var appsPath = AppsPath.Parse(path);
        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        if (folder.IsFolder(appsPath))
        {
            return null;
        }

        var (stream, stat) = Guard(serverId, appsPath, () => folder.OpenRead(appsPath));
        return new FileDownload(appsPath.ToString(), appsPath.IsRoot ? "apps" : appsPath.Name, stream, stat.Size, stat.Modified, FileVersion.Of(stat));
    }

    /// <summary>Writes the folder as a tar stream to <paramref name="output"/>; the caller has checked access with <see cref="OpenFileAsync"/>.</summary>
    public async Task WriteArchiveAsync(long actorId, bool isAdmin, long serverId, string? path, Stream output, CancellationToken cancellationToken)
    {
        var appsPath = AppsPath.Parse(path);
        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        await FolderArchive.WriteAsync(folder, appsPath, output, cancellationToken);
    }

    /// <summary>
    /// Streams <paramref name="body"/> into a new file that replaces <paramref name="path"/> only once
    /// complete. Over <see cref="FilesOptions.MaxUploadSize"/> (declared or counted): 413; disk full:
    /// 507; cancelled: nothing kept.
    /// </summary>
    public async Task<FileEntry> UploadAsync(long actorId, bool isAdmin, long serverId, string? path, Stream body, long? declaredLength, CancellationToken cancellationToken)
    {
        var appsPath = AppsPath.Parse(path);
        var limit = Options.MaxUploadSize;
        if (declaredLength > limit)
        {
            throw TooLarge(limit);
        }

        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        var upload = Guard(serverId, appsPath, () => folder.BeginUpload(appsPath));
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            try
            {
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    if (upload.Written + read > limit)
                    {
                        throw TooLarge(limit);
                    }

                    upload.Write(buffer.AsSpan(0, read));
                }

                upload.Commit();
            }
            catch (Exception e)
            {
                Log.UploadAbandoned(logger, serverId, appsPath, upload.Written, e is BerthException b ? b.Code : e.GetType().Name);
                throw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            upload.Dispose();
        }

        Log.Uploaded(logger, serverId, appsPath, upload.Written, actorId);
        activity.Add(db, actorId, $"File \"{appsPath}\" uploaded to virtual server #{serverId}");
        await db.SaveChangesAsync(CancellationToken.None);
        return upload.Entry ?? folder.Stat(appsPath);
    }

    public async Task<TextFile> ReadTextAsync(long actorId, bool isAdmin, long serverId, string? path, CancellationToken cancellationToken)
    {
        var appsPath = AppsPath.Parse(path);
        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        var (stream, stat) = Guard(serverId, appsPath, () => folder.OpenRead(appsPath));
        await using (stream)
        {
            if (stat.Size > Options.MaxTextSize)
            {
                throw new BerthException(ErrorKind.TooLarge, "TEXT_TOO_LARGE", $"The editor opens files up to {Options.MaxTextSize} bytes; download this one instead.");
            }

            var bytes = new byte[stat.Size];
            await stream.ReadExactlyAsync(bytes, cancellationToken);
            return new TextFile(appsPath.ToString(), Decode(bytes), FileVersion.Of(stat), stat.Size);
        }
    }

    /// <summary>
    /// Saves text over <paramref name="path"/> when it still has <paramref name="version"/> (null: it
    /// must not exist yet); otherwise 409 TEXT_CHANGED and nothing written.
    /// </summary>
    public async Task<TextFile> SaveTextAsync(long actorId, bool isAdmin, long serverId, string? path, string? content, string? version, CancellationToken cancellationToken)
    {
        var appsPath = AppsPath.Parse(path);
        content ??= "";
        var bytes = Encoding.UTF8.GetBytes(content);
        if (bytes.Length > Options.MaxTextSize)
        {
            throw new BerthException(ErrorKind.TooLarge, "TEXT_TOO_LARGE", $"The editor saves files up to {Options.MaxTextSize} bytes.");
        }

        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        var upload = Guard(serverId, appsPath, () => folder.BeginUpload(appsPath));
        try
        {
            upload.Write(bytes);
            // Checked as late as possible: a change by the server between here and the rename is the
            // narrow window any editor has (the rename then wins, as a save by the server would).
            if (Guard(serverId, appsPath, () => folder.VersionOf(appsPath)) != (string.IsNullOrEmpty(version) ? null : version))
            {
                throw BerthException.Conflict("TEXT_CHANGED", $"{appsPath} changed since it was opened; reload it (your text is kept in the editor).");
            }

            upload.Commit();
        }
        finally
        {
            upload.Dispose();
        }

        activity.Add(db, actorId, $"File \"{appsPath}\" saved on virtual server #{serverId}");
        await db.SaveChangesAsync(CancellationToken.None);
        return new TextFile(appsPath.ToString(), content, folder.VersionOf(appsPath) ?? "", bytes.Length);
    }

    public async Task<FileEntry> CreateFolderAsync(long actorId, bool isAdmin, long serverId, string? path, CancellationToken cancellationToken)
    {
        var appsPath = AppsPath.Parse(path);
        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        Guard(serverId, appsPath, () => folder.CreateFolder(appsPath));
        activity.Add(db, actorId, $"Folder \"{appsPath}\" created on virtual server #{serverId}");
        await db.SaveChangesAsync(CancellationToken.None);
        return folder.Stat(appsPath);
    }

    public async Task<FileEntry> CreateFileAsync(long actorId, bool isAdmin, long serverId, string? path, CancellationToken cancellationToken)
    {
        var appsPath = AppsPath.Parse(path);
        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        Guard(serverId, appsPath, () => folder.CreateFile(appsPath));
        activity.Add(db, actorId, $"File \"{appsPath}\" created on virtual server #{serverId}");
        await db.SaveChangesAsync(CancellationToken.None);
        return folder.Stat(appsPath);
    }

    public async Task<FileEntry> MoveAsync(long actorId, bool isAdmin, long serverId, string? from, string? to, CancellationToken cancellationToken)
    {
        var source = AppsPath.Parse(from);
        var target = AppsPath.Parse(to);
        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        Guard(serverId, source, () => folder.Move(source, target));
        Log.Moved(logger, serverId, source, target, actorId);
        activity.Add(db, actorId, $"\"{source}\" renamed to \"{target}\" on virtual server #{serverId}");
        await db.SaveChangesAsync(CancellationToken.None);
        return folder.Stat(target);
    }

    public async Task DeleteAsync(long actorId, bool isAdmin, long serverId, string? path, CancellationToken cancellationToken)
    {
        var appsPath = AppsPath.Parse(path);
        using var folder = await OpenAsync(actorId, isAdmin, serverId, cancellationToken);
        Guard(serverId, appsPath, () => folder.Delete(appsPath));
        Log.Deleted(logger, serverId, appsPath, actorId);
        activity.Add(db, actorId, $"\"{appsPath}\" deleted from virtual server #{serverId}");
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private async Task<ServerFolder> OpenAsync(long actorId, bool isAdmin, long serverId, CancellationToken cancellationToken)
    {
        await servers.EnsureVisibleAsync(actorId, isAdmin, serverId, cancellationToken);
        return ServerFolder.Open(directories.Apps(serverId));
    }

    private T Guard<T>(long serverId, AppsPath path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (BerthException e) when (e.Code == "PATH_OUTSIDE_APPS")
        {
            Log.Escape(logger, serverId, path);
            throw;
        }
    }

    private void Guard(long serverId, AppsPath path, Action action) => Guard(serverId, path, () =>
    {
        action();
        return true;
    });

    private static string Decode(byte[] bytes)
    {
        try
        {
            var text = StrictUtf8.GetString(bytes);
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                throw new DecoderFallbackException();
            }

            return text;
        }
        catch (DecoderFallbackException)
        {
            throw new BerthException(ErrorKind.UnsupportedMediaType, "NOT_TEXT", "This file is not UTF-8 text; download it instead.");
        }
    }

    private static BerthException TooLarge(long limit) =>
        new(ErrorKind.TooLarge, "UPLOAD_TOO_LARGE", $"Uploads may be at most {limit} bytes (Berth:Files:MaxUploadSize).");
}
