using Microsoft.Extensions.Logging;

namespace Berth.Core.Files;

/// <summary>Every log message of the file manager (event ids 3500-3599). Paths are logged, contents never.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3500, Level = LogLevel.Information, Message = "Files: {Path} uploaded to server {ServerId} ({Bytes} bytes) by user {UserId}")]
    public static partial void Uploaded(ILogger logger, long serverId, AppsPath path, long bytes, long userId);

    [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "Files: upload of {Path} to server {ServerId} abandoned after {Bytes} bytes ({Reason}); nothing was kept")]
    public static partial void UploadAbandoned(ILogger logger, long serverId, AppsPath path, long bytes, string reason);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Information, Message = "Files: {Path} deleted on server {ServerId} by user {UserId}")]
    public static partial void Deleted(ILogger logger, long serverId, AppsPath path, long userId);

    [LoggerMessage(EventId = 3503, Level = LogLevel.Information, Message = "Files: {From} moved to {To} on server {ServerId} by user {UserId}")]
    public static partial void Moved(ILogger logger, long serverId, AppsPath from, AppsPath to, long userId);

    [LoggerMessage(EventId = 3504, Level = LogLevel.Warning, Message = "Files: a path on server {ServerId} led outside /apps and was refused: {Path}")]
    public static partial void Escape(ILogger logger, long serverId, AppsPath path);
}
