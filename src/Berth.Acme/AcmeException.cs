using System.Net;

namespace Berth.Acme;

/// <summary>
/// A failure reported by the ACME server as a problem document (RFC 8555 section 6.7), or a
/// refusal of this client's own order rate limit.
/// </summary>
public sealed class AcmeException : Exception
{
    /// <summary>Creates an exception for an ACME problem.</summary>
    /// <param name="errorType">The problem type, for example <c>urn:ietf:params:acme:error:unauthorized</c>.</param>
    /// <param name="detail">The server's human-readable explanation.</param>
    public AcmeException(string errorType, string? detail)
        : base(detail is { Length: > 0 } ? $"{errorType}: {detail}" : errorType)
    {
        ErrorType = errorType;
        Detail = detail;
    }

    /// <summary>The problem type URI, see <see cref="AcmeErrorTypes"/>.</summary>
    public string ErrorType { get; }

    /// <summary>The server's human-readable explanation, when it gave one.</summary>
    public string? Detail { get; }

    /// <summary>The HTTP status of the response that carried the problem, when there was a response.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The identifier (a DNS name) the problem is about, when the server or the client named one.</summary>
    public string? Identifier { get; init; }

    /// <summary>When to try again, from the server's Retry-After header or the client's rate limit.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
