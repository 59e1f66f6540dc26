using System.Collections.Concurrent;

namespace Berth.Acme;

/// <summary>An <see cref="IHttp01ChallengeStore"/> for a single process that serves the challenges itself.</summary>
public sealed class InMemoryHttp01ChallengeStore : IHttp01ChallengeStore
{
    /// <summary>The path prefix under which HTTP-01 tokens are requested.</summary>
    public const string PathPrefix = "/.well-known/acme-challenge/";

    private readonly ConcurrentDictionary<string, string> _answers = new(StringComparer.Ordinal);

    /// <summary>The key authorization published for <paramref name="token"/>, if any.</summary>
    public bool TryGetKeyAuthorization(string token, out string keyAuthorization) =>
        _answers.TryGetValue(token, out keyAuthorization!);

    /// <inheritdoc />
    public ValueTask PublishAsync(string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        _answers[token] = keyAuthorization;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask RemoveAsync(string token, CancellationToken cancellationToken)
    {
        _answers.TryRemove(token, out _);
        return ValueTask.CompletedTask;
    }
}
