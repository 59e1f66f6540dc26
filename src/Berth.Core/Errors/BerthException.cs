namespace Berth.Core.Errors;

/// <summary>What kind of failure a <see cref="BerthException"/> is; the API maps each to one HTTP status.</summary>
public enum ErrorKind
{
    Invalid,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    TooManyRequests,
    Unavailable,

    /// <summary>The request body is larger than a limit allows (413).</summary>
    TooLarge,

    /// <summary>The content is not of a kind the endpoint handles, e.g. binary sent to the text editor (415).</summary>
    UnsupportedMediaType,

    /// <summary>No room left on the disk (507).</summary>
    InsufficientStorage,
}

/// <summary>
/// A failure the caller can act on: a stable machine <see cref="Code"/> (UPPER_SNAKE) and a
/// human message. Everything the application services refuse is one of these; anything else
/// reaching the API boundary is a bug.
/// </summary>
public sealed class BerthException(ErrorKind kind, string code, string message) : Exception(message)
{
    public ErrorKind Kind { get; } = kind;

    public string Code { get; } = code;

    /// <summary>
    /// Which rule behind <see cref="Code"/> refused (a stable lower-case word, e.g. <c>length</c>), when
    /// one code covers several rules: a client can translate the reason, not only the code.
    /// </summary>
    public string? Reason { get; init; }

    /// <summary>More members of the problem details (e.g. a validation's <c>messages</c>), written beside <c>code</c>.</summary>
    public IReadOnlyDictionary<string, object>? Extensions { get; init; }

    /// <summary>For <see cref="ErrorKind.TooManyRequests"/>: when to try again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static BerthException Invalid(string code, string message) => new(ErrorKind.Invalid, code, message);

    public static BerthException NotFound(string code, string message) => new(ErrorKind.NotFound, code, message);

    public static BerthException Conflict(string code, string message) => new(ErrorKind.Conflict, code, message);

    public static BerthException Forbidden(string code, string message) => new(ErrorKind.Forbidden, code, message);

    public static BerthException Unauthenticated(string code, string message) => new(ErrorKind.Unauthenticated, code, message);

    public static BerthException TooManyRequests(string code, string message, TimeSpan retryAfter) =>
        new(ErrorKind.TooManyRequests, code, message) { RetryAfter = retryAfter };

    public static BerthException Unavailable(string code, string message) => new(ErrorKind.Unavailable, code, message);
}
