namespace Berth.Acme;

/// <summary>An ACME account as the server reports it.</summary>
/// <param name="Location">The account URL, used as the <c>kid</c> of every later request.</param>
/// <param name="Status"><c>valid</c>, <c>deactivated</c> or <c>revoked</c>.</param>
/// <param name="Contact">The contact URIs, for example <c>mailto:ops@example.com</c>.</param>
public sealed record AcmeAccount(Uri Location, string Status, IReadOnlyList<string> Contact);
