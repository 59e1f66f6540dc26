using Berth.Acme;
using Berth.Proxy;

namespace Berth.Server.Edge;

/// <summary>Answers HTTP-01 challenges on the edge from the tokens the certificate work publishes in the in-memory store.</summary>
internal sealed class Http01ChallengeResponder(InMemoryHttp01ChallengeStore store) : IAcmeChallengeResponder
{
    public ValueTask<string?> GetKeyAuthorizationAsync(string host, string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(store.TryGetKeyAuthorization(token, out var answer) ? answer : null);
}
