using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Forwards;

/// <summary>Events of the port forwards (area Core.Forwards, 3600-3699; see docs/operations/logging.md).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3600, Level = LogLevel.Warning, Message = "Forwards: a pass of the listener loop failed; retrying on the next pass")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3601, Level = LogLevel.Information, Message = "Forwards: {Listening} of {Forwards} forwards listening ({Opened} opened, {Closed} closed)")]
    public static partial void Applied(ILogger logger, int listening, int forwards, int opened, int closed);

    [LoggerMessage(EventId = 3602, Level = LogLevel.Warning, Message = "Forwards: the Docker engine does not answer ({Reason}); no forward listens until it does")]
    public static partial void EngineUnreachable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3603, Level = LogLevel.Information, Message = "Forwards: public port {PublicPort} of server {ServerId} listening, to {Target}")]
    public static partial void Opened(ILogger logger, int publicPort, long serverId, IPEndPoint target);

    [LoggerMessage(EventId = 3604, Level = LogLevel.Information, Message = "Forwards: public port {PublicPort} of server {ServerId} closed with its connections")]
    public static partial void Closed(ILogger logger, int publicPort, long serverId);

    [LoggerMessage(EventId = 3605, Level = LogLevel.Warning, Message = "Forwards: public port {PublicPort} of server {ServerId} cannot listen ({Error}); another program holds it? Retrying on every pass")]
    public static partial void OpenFailed(ILogger logger, int publicPort, long serverId, SocketError error);

    [LoggerMessage(EventId = 3606, Level = LogLevel.Debug, Message = "Forwards: accepting on public port {PublicPort} failed ({Error})")]
    public static partial void AcceptFailed(ILogger logger, int publicPort, SocketError error);

    [LoggerMessage(EventId = 3607, Level = LogLevel.Warning, Message = "Forwards: public port {PublicPort} carries {Max} connections already; a new one was refused")]
    public static partial void ConnectionRefusedAtLimit(ILogger logger, int publicPort, int max);

    [LoggerMessage(EventId = 3608, Level = LogLevel.Debug, Message = "Forwards: public port {PublicPort} could not reach server {ServerId} ({Error})")]
    public static partial void ConnectFailed(ILogger logger, int publicPort, long serverId, SocketError error);

    [LoggerMessage(EventId = 3609, Level = LogLevel.Error, Message = "Forwards: a connection on public port {PublicPort} failed unexpectedly")]
    public static partial void CarryFailed(ILogger logger, Exception exception, int publicPort);

    [LoggerMessage(EventId = 3610, Level = LogLevel.Information, Message = "Forwards: {Count} forward(s) adopted from the original platform's hosting_portforward table")]
    public static partial void Adopted(ILogger logger, int count);
}
