namespace Berth.Proxy;

/// <summary>
/// Answers ACME HTTP-01 challenges: the edge serves <c>/.well-known/acme-challenge/{token}</c> on every
/// host with the key authorization this returns.
/// </summary>
public interface IAcmeChallengeResponder
{
    /// <summary>Returns the key authorization for a pending challenge, or null when the token is unknown.</summary>
    /// <param name="host">The host the CA asked (lower case, without port).</param>
    /// <param name="token">The token from the request path.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    ValueTask<string?> GetKeyAuthorizationAsync(string host, string token, CancellationToken cancellationToken);
}
