using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Berth.Proxy;

/// <summary>The edge's log messages; event ids 6000–6099.</summary>
internal static partial class Log
{
    [LoggerMessage(6000, LogLevel.Information, "Edge routes applied: {Count} routes in {ElapsedMilliseconds:F1} ms")]
    public static partial void RoutesApplied(ILogger logger, int count, double elapsedMilliseconds);

    [LoggerMessage(6001, LogLevel.Information, "Origin of {Host} did not answer: {Error}")]
    public static partial void ForwardFailed(ILogger logger, string host, ForwarderError error, Exception? exception);

    [LoggerMessage(6002, LogLevel.Debug, "Refused {Peer} for {Host}: not a Cloudflare address")]
    public static partial void CloudflareRefused(ILogger logger, string? peer, string host);

    [LoggerMessage(6011, LogLevel.Debug, "Refused {Peer} for {Host}: no verified client certificate")]
    public static partial void ClientCertificateRefused(ILogger logger, string? peer, string host);

    [LoggerMessage(6012, LogLevel.Debug, "TLS client certificate refused for {Host}: {Reason}")]
    public static partial void ClientCertificateInvalid(ILogger logger, string host, string reason);

    [LoggerMessage(6004, LogLevel.Information, "Origin of {Host} failed: {Reason}")]
    public static partial void OriginFailed(ILogger logger, string host, string reason, Exception exception);

    [LoggerMessage(6003, LogLevel.Information, "Edge listening on {Addresses}")]
    public static partial void Listening(ILogger logger, string addresses);

    [LoggerMessage(6013, LogLevel.Debug, "TLS handshake for {ServerName} answered with the fallback certificate: no certificate for this name")]
    public static partial void FallbackCertificate(ILogger logger, string serverName);

    [LoggerMessage(6007, LogLevel.Warning, "Edge refusing new connections: {Limit}; logged once until one is let in again")]
    public static partial void ConnectionsRefused(ILogger logger, string limit);

    [LoggerMessage(6008, LogLevel.Warning, "Edge cannot accept connections ({Error}); retrying with a pause until it can")]
    public static partial void AcceptFailing(ILogger logger, string error);

    [LoggerMessage(6009, LogLevel.Information, "Edge accepts connections again after {Failures} failed accepts")]
    public static partial void AcceptRecovered(ILogger logger, int failures);

    [LoggerMessage(6010, LogLevel.Information, "Origin of {Host} busy: all {Limit} connections in use (MaxConnectionsPerOrigin)")]
    public static partial void OriginBusy(ILogger logger, string host, int limit);
}
