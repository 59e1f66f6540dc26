using Microsoft.Extensions.Logging;

namespace Berth.Core.Monitoring;

/// <summary>Every log message of the monitor and the usage sampler (event ids 3000-3099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Monitor: watching engine of server {ServerId} at {Endpoint}")]
    public static partial void EngineAdded(ILogger logger, long serverId, string endpoint);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Monitor: stopped watching engine of server {ServerId} at {Endpoint}")]
    public static partial void EngineRemoved(ILogger logger, long serverId, string endpoint);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Monitor: engine of server {ServerId} connected; {Added} added, {Updated} updated, {Removed} removed, {Adopted} servers adopted")]
    public static partial void EngineConnected(ILogger logger, long serverId, int added, int updated, int removed, int adopted);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Monitor: engine of server {ServerId} unavailable (attempt {Attempt}: {Reason}); retrying in {Delay}")]
    public static partial void EngineUnavailable(ILogger logger, long serverId, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Monitor: engine of server {ServerId} unavailable (attempt {Attempt}); retrying in {Delay}")]
    public static partial void EngineFailed(ILogger logger, long serverId, int attempt, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Monitor: event stream of server {ServerId} ended; reconnecting in {Delay}")]
    public static partial void StreamEnded(ILogger logger, long serverId, TimeSpan delay);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Monitor: server {ServerId} swept ({WithSizes}): {Added} added, {Updated} updated, {Removed} removed")]
    public static partial void Swept(ILogger logger, long serverId, bool withSizes, int added, int updated, int removed);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Monitor: {Count} stale container rows deleted (unseen for 5 minutes)")]
    public static partial void StaleRowsDeleted(ILogger logger, int count);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Error, Message = "Monitor: a maintenance pass failed; trying again at the next interval")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Monitor: server {ServerId} is no longer running; {Count} container rows removed")]
    public static partial void ServerRowsRemoved(ILogger logger, long serverId, int count);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Error, Message = "Monitor: reading the list of engines failed")]
    public static partial void EngineListFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Monitor: server {ServerId} container {DockerId} {Action} -> {State}")]
    public static partial void EventApplied(ILogger logger, long serverId, string dockerId, string action, string state);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Usage: sampling server {ServerId} failed")]
    public static partial void UsageSampleFailed(ILogger logger, long serverId, Exception exception);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Error, Message = "Usage: a sampling round failed; trying again at the next interval")]
    public static partial void UsageRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Debug, Message = "Usage: {Points} points written, {Downsampled} minute points folded into hourly ones, {Expired} expired")]
    public static partial void UsageRound(ILogger logger, int points, int downsampled, int expired);
}
