using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Server.Tests.Security;

/// <summary>
/// The resources the sweep fills operations in with: the first user's server, its domain, port
/// forward and stack (with an action on it and an operation id that names none), that user, their API token and SSH key.
/// </summary>
internal sealed record SweepWorld(long ServerId, long DomainId, long UserId, long ForwardId = 0, long TokenId = 0, long SshKeyId = 0, string StackName = "sweep", string OperationId = "sweep-operation")
{
    /// <summary>
    /// The operation's path with its parameters filled in; a parameter the sweep does not know fails it. Required
    /// query parameters take the value <paramref name="query"/> gives by name, else the sweep's own.
    /// </summary>
    public string Fill(SweptOperation operation, long? serverId = null, IReadOnlyDictionary<string, string?>? query = null)
    {
        var path = operation.Path;
        foreach (var name in operation.PathParameters)
        {
            var value = (name, operation.Path.StartsWith("/api/users", StringComparison.Ordinal)) switch
            {
                ("id", true) or ("userId", _) => UserId.ToString(CultureInfo.InvariantCulture),
                ("id", false) => (serverId ?? ServerId).ToString(CultureInfo.InvariantCulture),
                ("domainId", _) => DomainId.ToString(CultureInfo.InvariantCulture),
                ("forwardId", _) => ForwardId.ToString(CultureInfo.InvariantCulture),
                ("tokenId", _) => TokenId.ToString(CultureInfo.InvariantCulture),
                ("keyId", _) => SshKeyId.ToString(CultureInfo.InvariantCulture),
                ("name", _) => StackName,
                ("action", _) => "up",
                ("operationId", _) => OperationId,
                _ => throw new InvalidOperationException($"{operation}: the sweep does not know the path parameter {{{name}}}; teach it in {nameof(SweepWorld)}"),
            };
            path = path.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }

        // An optional query parameter is sent only when the caller gives it a value.
        var names = operation.RequiredQuery.Concat(operation.OptionalQuery.Where(name => query?.GetValueOrDefault(name) is not null));
        var filled = names.Select(name => name + "=" + Uri.EscapeDataString(query?.GetValueOrDefault(name) ?? name switch
        {
            "path" => "/",
            "name" => "sweep.example.com",
            "serverId" => (serverId ?? ServerId).ToString(CultureInfo.InvariantCulture),
            _ => "1",
        })).ToList();
        return filled.Count == 0 ? path : path + "?" + string.Join('&', filled);
    }
}

/// <summary>One operation of the OpenAPI document, with what the sweep needs of its schema.</summary>
internal sealed record SweptOperation(HttpMethod Method, string Path, IReadOnlyList<string> PathParameters, IReadOnlyList<string> RequiredQuery, IReadOnlyList<string> OptionalQuery, JsonObject? BodySchema)
{
    private static readonly string Megabyte = new('a', 1024 * 1024);

    public static IEnumerable<SweptOperation> All(JsonNode document)
    {
        var schemas = document["components"]?["schemas"]?.AsObject();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, node) in item!.AsObject())
            {
                var parameters = node!["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
                var schema = node["requestBody"]?["content"]?["application/json"]?["schema"];
                yield return new SweptOperation(
                    new HttpMethod(method.ToUpperInvariant()),
                    path,
                    parameters.Where(p => (string?)p["in"] == "path").Select(p => (string)p["name"]!).ToList(),
                    parameters.Where(p => (string?)p["in"] == "query" && p["required"]?.GetValue<bool>() == true).Select(p => (string)p["name"]!).ToList(),
                    parameters.Where(p => (string?)p["in"] == "query" && p["required"]?.GetValue<bool>() != true).Select(p => (string)p["name"]!).ToList(),
                    schema is null ? null : Resolve(schema, schemas));
            }
        }
    }

    public override string ToString() => $"{Method} {Path}";

    /// <summary>
    /// A body of the right shape (each property a plain value of its type), or none. <paramref name="values"/> gives
    /// values by property name instead of the sweep's own (e.g. a name that exists or one that does not): a number
    /// where the property takes one and the text is one, else the text; null leaves the property out.
    /// </summary>
    public HttpContent? ValidBody(SweepWorld world, IReadOnlyDictionary<string, string?>? values = null) => BodySchema is null ? null : Json(Example(values).ToJsonString());

    /// <summary>Bodies that break the schema; strict ones must get a 4xx, the others only never a 5xx.</summary>
    public IEnumerable<(string Label, HttpContent Body, bool Strict)> BrokenBodies(SweepWorld world)
    {
        if (BodySchema is null)
        {
            yield break;
        }

        yield return ("not JSON", Json("{\"a\":"), true);
        yield return ("invalid UTF-8", Bytes([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']), true);
        yield return ("deep nesting", Json(new string('[', 5000) + new string(']', 5000)), true);
        yield return ("an array", Json("[]"), true);
        yield return ("empty object", Json("{}"), false);
        yield return ("an extra field", Json(With("sweepExtra", 1).ToJsonString()), BodySchema["additionalProperties"]?.GetValue<bool>() == false);
        yield return ("text/plain", new StringContent(Example().ToJsonString(), Encoding.UTF8, "text/plain"), true);
        foreach (var (name, schema) in Properties())
        {
            var types = Types(schema);
            // A value of no type the property takes.
            JsonNode wrong = types.Contains("object") || types.Contains("array") ? JsonValue.Create(12345) : new JsonObject { ["sweep"] = 1 };
            yield return ($"{name} of a wrong type", Json(With(name, wrong).ToJsonString()), true);
            // Alone, not beside valid values: a body that may be accepted must not change what the sweep stands on.
            yield return ($"{name} null", Json(new JsonObject { [name] = null }.ToJsonString()), false);
            if (types.Contains("string"))
            {
                yield return ($"{name} of 1 MB", Json(With(name, JsonValue.Create(Megabyte)).ToJsonString()), true);
                yield return ($"{name} with a NUL", Json(new JsonObject { [name] = "a\u0000b" }.ToJsonString()), false);
            }
        }
    }

    private JsonObject Example(IReadOnlyDictionary<string, string?>? values = null)
    {
        var body = new JsonObject();
        foreach (var (name, schema) in Properties())
        {
            var types = Types(schema);
            if (values is not null && values.TryGetValue(name, out var given))
            {
                if (given is not null)
                {
                    body[name] = (types.Contains("integer") || types.Contains("number")) && decimal.TryParse(given, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
                        ? JsonValue.Create(number)
                        : JsonValue.Create(given);
                }

                continue;
            }

            // A number first: the document types a nullable number as integer|string (a string pattern), and the API takes numbers.
            body[name] = types.Contains("integer") || types.Contains("number") ? JsonValue.Create(1)
                : types.Contains("string") ? JsonValue.Create(ValidText(name))
                : types.Contains("boolean") ? JsonValue.Create(false)
                : types.Contains("array") ? new JsonArray()
                : new JsonObject();
        }

        return body;
    }

    /// <summary>A value that passes the property's own rules, so that a check behind them (ownership) is reached.</summary>
    private static string ValidText(string property) => property switch
    {
        "domainName" => "sweep.example.com",
        "email" => "sweep@example.com",
        "password" or "currentPassword" or "newPassword" => "sweep-password-1",
        "code" => "ABCDEFGH",
        _ => "sweep",
    };

    private JsonObject With(string name, JsonNode? value)
    {
        var body = Example();
        body[name] = value;
        return body;
    }

    private IEnumerable<(string Name, JsonObject Schema)> Properties() =>
        BodySchema?["properties"]?.AsObject().Select(p => (p.Key, p.Value!.AsObject())) ?? [];

    private static HashSet<string> Types(JsonObject schema) => schema["type"] switch
    {
        JsonArray many => many.Select(t => (string)t!).ToHashSet(),
        JsonValue one => [(string)one!],
        _ => ["object"],
    };

    private static JsonObject Resolve(JsonNode schema, JsonObject? schemas) =>
        schema["$ref"] is { } reference && schemas is not null
            ? schemas[((string)reference!).Split('/')[^1]]!.AsObject()
            : schema.AsObject();

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static ByteArrayContent Bytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
