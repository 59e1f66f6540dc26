using Microsoft.Extensions.Logging;

namespace Berth.Core.Stacks;

/// <summary>Every log message of Compose stacks (event ids 3700-3799). Names and exit codes are logged, file contents never.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3700, Level = LogLevel.Information, Message = "Stacks: {Action} of stack {Stack} on server {ServerId} started by user {UserId} (operation {OperationId})")]
    public static partial void ActionStarted(ILogger logger, StackAction action, StackName stack, long serverId, long userId, string operationId);

    [LoggerMessage(EventId = 3701, Level = LogLevel.Information, Message = "Stacks: operation {OperationId} ({Action} of stack {Stack} on server {ServerId}) ended with exit code {ExitCode}")]
    public static partial void ActionEnded(ILogger logger, string operationId, StackAction action, StackName stack, long serverId, long? exitCode);

    [LoggerMessage(EventId = 3702, Level = LogLevel.Warning, Message = "Stacks: operation {OperationId} on server {ServerId} could not run to its end")]
    public static partial void ActionBroken(ILogger logger, string operationId, long serverId, Exception exception);

    [LoggerMessage(EventId = 3703, Level = LogLevel.Information, Message = "Stacks: stack {Stack} created on server {ServerId} by user {UserId}")]
    public static partial void Created(ILogger logger, StackName stack, long serverId, long userId);

    [LoggerMessage(EventId = 3704, Level = LogLevel.Information, Message = "Stacks: stack {Stack} on server {ServerId} edited by user {UserId}")]
    public static partial void Edited(ILogger logger, StackName stack, long serverId, long userId);

    [LoggerMessage(EventId = 3705, Level = LogLevel.Information, Message = "Stacks: stack {Stack} on server {ServerId} deleted by user {UserId}; its folder moved to {Trash}")]
    public static partial void Deleted(ILogger logger, StackName stack, long serverId, long userId, string trash);

    [LoggerMessage(EventId = 3706, Level = LogLevel.Warning, Message = "Stacks: docker compose config could not run on server {ServerId}")]
    public static partial void ConfigFailed(ILogger logger, long serverId, Exception exception);
}
