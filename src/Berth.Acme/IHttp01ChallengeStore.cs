namespace Berth.Acme;

/// <summary>
/// Where the caller publishes HTTP-01 answers: whatever serves
/// <c>http://NAME/.well-known/acme-challenge/{token}</c> must answer with the key authorization
/// as <c>text/plain</c> while it is published.
/// </summary>
public interface IHttp01ChallengeStore
{
    /// <summary>Starts answering <paramref name="token"/> with <paramref name="keyAuthorization"/>.</summary>
    ValueTask PublishAsync(string token, string keyAuthorization, CancellationToken cancellationToken);

    /// <summary>Stops answering <paramref name="token"/>; called once validation ended either way.</summary>
    ValueTask RemoveAsync(string token, CancellationToken cancellationToken);
}
