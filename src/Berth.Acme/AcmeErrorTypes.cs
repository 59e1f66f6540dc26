namespace Berth.Acme;

/// <summary>The ACME problem types (RFC 8555 section 6.7) that callers commonly act on.</summary>
public static class AcmeErrorTypes
{
    private const string Prefix = "urn:ietf:params:acme:error:";

    /// <summary>The account does not exist (a lookup with <c>onlyReturnExisting</c>).</summary>
    public const string AccountDoesNotExist = Prefix + "accountDoesNotExist";

    /// <summary>The nonce was unacceptable; the client retries these itself.</summary>
    public const string BadNonce = Prefix + "badNonce";

    /// <summary>The server could not connect to the validation target.</summary>
    public const string Connection = Prefix + "connection";

    /// <summary>The response received did not match the challenge's requirements.</summary>
    public const string IncorrectResponse = Prefix + "incorrectResponse";

    /// <summary>The request exceeds a rate limit (the server's, or this client's own order limit).</summary>
    public const string RateLimited = Prefix + "rateLimited";

    /// <summary>The client lacks sufficient authorization, also used for failed validations.</summary>
    public const string Unauthorized = Prefix + "unauthorized";

    /// <summary>The server experienced an internal error.</summary>
    public const string ServerInternal = Prefix + "serverInternal";

    /// <summary>The response was not a problem document; the server broke the protocol.</summary>
    public const string Malformed = Prefix + "malformed";
}
