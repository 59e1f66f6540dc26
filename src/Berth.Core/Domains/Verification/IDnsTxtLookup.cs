namespace Berth.Core.Domains.Verification;

/// <summary>What a TXT lookup found: the records' texts, none (the name or its TXT records do not exist), or a failure.</summary>
public sealed record TxtAnswer(IReadOnlyList<string> Texts, string? Failure)
{
    public static readonly TxtAnswer None = new([], null);
}

/// <summary>Looks up TXT records; <see cref="DnsTxtLookup"/> asks the configured resolver.</summary>
public interface IDnsTxtLookup
{
    Task<TxtAnswer> LookupAsync(string name, CancellationToken cancellationToken);
}
