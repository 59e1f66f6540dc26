using Microsoft.Extensions.Logging;

namespace Berth.Acme;

/// <summary>Every log message of the ACME client (event ids 2000-2099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "ACME directory loaded from {DirectoryUri}")]
    public static partial void DirectoryLoaded(ILogger logger, Uri directoryUri);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "ACME server rejected the nonce for {Url}; retrying with a fresh one (attempt {Attempt})")]
    public static partial void BadNonceRetry(ILogger logger, Uri url, int attempt);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "ACME account {AccountUrl} is {Status}")]
    public static partial void AccountReady(ILogger logger, Uri accountUrl, string status);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "ACME order {OrderUrl} placed for {DnsNames}")]
    public static partial void OrderPlaced(ILogger logger, Uri orderUrl, string dnsNames);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "HTTP-01 challenge for {DnsName} published as token {Token}")]
    public static partial void ChallengePublished(ILogger logger, string dnsName, string token);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "ACME authorization for {DnsName} failed: {ErrorType}: {Detail}")]
    public static partial void AuthorizationFailed(ILogger logger, string dnsName, string errorType, string? detail);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information, Message = "ACME certificate issued for {DnsNames}, valid until {NotAfter}")]
    public static partial void CertificateIssued(ILogger logger, string dnsNames, DateTimeOffset notAfter);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Client-side ACME order limit reached; next order allowed in {RetryAfter}")]
    public static partial void OrderRateLimited(ILogger logger, TimeSpan retryAfter);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Debug, Message = "ACME resource {Url} is {Status}; polling again in {Delay}")]
    public static partial void Polling(ILogger logger, Uri url, string status, TimeSpan delay);
}
