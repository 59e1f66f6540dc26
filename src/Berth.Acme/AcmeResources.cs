using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Acme;

// The ACME resources of RFC 8555 section 7.1, as far as this client reads or writes them.

internal sealed record DirectoryResource(Uri NewNonce, Uri NewAccount, Uri NewOrder, Uri? RevokeCert, Uri? KeyChange, DirectoryMeta? Meta);

internal sealed record DirectoryMeta(string? TermsOfService, bool ExternalAccountRequired);

internal sealed record NewAccountRequest(IReadOnlyList<string>? Contact, bool? TermsOfServiceAgreed, bool? OnlyReturnExisting);

internal sealed record AccountResource(string? Status, IReadOnlyList<string>? Contact);

internal sealed record AcmeIdentifier(string Type, string Value);

internal sealed record NewOrderRequest(IReadOnlyList<AcmeIdentifier> Identifiers);

internal sealed record OrderResource(
    string Status,
    IReadOnlyList<AcmeIdentifier> Identifiers,
    IReadOnlyList<Uri> Authorizations,
    Uri Finalize,
    Uri? Certificate,
    ProblemDocument? Error);

internal sealed record AuthorizationResource(string Status, AcmeIdentifier Identifier, IReadOnlyList<ChallengeResource> Challenges);

internal sealed record ChallengeResource(string Type, Uri Url, string Status, string? Token, ProblemDocument? Error);

internal sealed record FinalizeRequest(string Csr);

internal sealed record ProblemDocument(string? Type, string? Detail, int? Status, AcmeIdentifier? Identifier, IReadOnlyList<ProblemDocument>? Subproblems);

internal sealed record JwsProtectedHeader(
    [property: JsonPropertyName("alg")] string Algorithm,
    [property: JsonPropertyName("jwk")] EcPublicJwk? Jwk,
    [property: JsonPropertyName("kid")] string? KeyId,
    [property: JsonPropertyName("nonce")] string Nonce,
    [property: JsonPropertyName("url")] string Url);

internal sealed record JwsMessage(
    [property: JsonPropertyName("protected")] string Protected,
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("signature")] string Signature);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(DirectoryResource))]
[JsonSerializable(typeof(NewAccountRequest))]
[JsonSerializable(typeof(AccountResource))]
[JsonSerializable(typeof(NewOrderRequest))]
[JsonSerializable(typeof(OrderResource))]
[JsonSerializable(typeof(AuthorizationResource))]
[JsonSerializable(typeof(ChallengeResource))]
[JsonSerializable(typeof(FinalizeRequest))]
[JsonSerializable(typeof(ProblemDocument))]
[JsonSerializable(typeof(JwsProtectedHeader))]
[JsonSerializable(typeof(JwsMessage))]
internal sealed partial class AcmeJsonContext : JsonSerializerContext;
