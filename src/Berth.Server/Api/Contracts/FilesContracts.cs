using Berth.Core.Files;

namespace Berth.Server.Api.Contracts;

/// <summary>One entry of a folder: <c>kind</c> is <c>folder</c>, <c>file</c>, <c>link</c> or <c>special</c> (FIFO, socket, device).</summary>
public sealed record FileEntryResponse(string Name, string Kind, long Size, DateTimeOffset Modified, string Mode, string? LinkTarget)
{
    public static FileEntryResponse From(FileEntry entry) =>
        new(entry.Name, entry.Kind.ToString().ToLowerInvariant(), entry.Size, entry.Modified, entry.Mode, entry.LinkTarget);
}

/// <summary>A page of a folder: folders first, then files, by name; <c>total</c> counts every entry.</summary>
public sealed record FolderResponse(string Path, int Total, int Offset, IReadOnlyList<FileEntryResponse> Entries);

public sealed record FilePathRequest(string? Path);

public sealed record MoveFileRequest(string? From, string? To);

/// <summary>A text file and its <c>version</c>: send the version back when saving.</summary>
public sealed record TextFileResponse(string Path, string Content, string Version, long Size)
{
    public static TextFileResponse From(TextFile text) => new(text.Path, text.Content, text.Version, text.Size);
}

/// <summary>The text to save and the version it was opened at (null or empty: the file must not exist yet).</summary>
public sealed record SaveTextRequest(string? Content, string? Version);
