namespace Berth.Proxy.Tests.Infrastructure;

/// <summary>The host's answers to ACME HTTP-01 challenges, as the certificate loop would give them: by name and token.</summary>
internal sealed class ChallengeBook : IAcmeChallengeResponder
{
    private readonly Dictionary<(string Host, string Token), string> _answers = [];

    public void Add(string host, string token, string keyAuthorization) => _answers[(host, token)] = keyAuthorization;

    public ValueTask<string?> GetKeyAuthorizationAsync(string host, string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_answers.GetValueOrDefault((host, token)));
}
