using Berth.Proxy.Tests.Infrastructure;

namespace Berth.Proxy.Tests.Conformance;

/// <summary>What the client must get over HTTP/1.1.</summary>
internal sealed record ClientExpect(string Description, Func<List<Http11Response>, bool> Holds)
{
    /// <summary>Exactly these complete answers, in order, and nothing else on the connection.</summary>
    public static ClientExpect Statuses(params int[] statuses) =>
        new($"answers {string.Join(", ", statuses)}", responses => responses.All(r => r.Complete) && responses.Select(r => r.Status).SequenceEqual(statuses));

    /// <summary>200 answers from the origin to exactly these requests (<c>GET /1</c>, ...), in order.</summary>
    public static ClientExpect Answers(params string[] requests) =>
        new(
            $"200 answers to {string.Join(", ", requests)}",
            responses => responses.All(r => r.Complete && r.Status == 200) && responses.Select(r => r.Body).SequenceEqual(requests.Select(request => $"answer to {request}")));
}

/// <summary>What the origin may receive: a check that returns why it failed, or null.</summary>
internal sealed record OriginExpect(string Description, Func<ScriptedOrigin, string?> Violation)
{
    public static readonly OriginExpect Nothing = new("nothing", origin => origin.Received.Length == 0 ? null : "it received bytes");

    /// <summary>No complete request (at most a head whose body never completed).</summary>
    public static readonly OriginExpect NoCompleteRequest = new("no complete request", origin => origin.Requests.IsEmpty ? null : "it received a complete request");

    /// <summary>Exactly these bytes, over all its connections.</summary>
    public static OriginExpect Exactly(string bytes) => new($"exactly {Show(bytes)}", origin => origin.Received == bytes ? null : "other bytes");

    /// <summary>Exactly one request, which satisfies <paramref name="predicate"/>.</summary>
    public static OriginExpect One(string description, Func<string, bool> predicate) =>
        new(
            $"one request {description}",
            origin => origin.Requests.Count != 1 || origin.Received != origin.Requests.Single() ? "not exactly one request"
                : predicate(origin.Requests.Single()) ? null : "the request does not match");

    /// <summary>Exactly one request, with no header line named any of <paramref name="names"/>.</summary>
    public static OriginExpect OneWithoutLines(params string[] names) =>
        One($"with no line named {string.Join(", ", names)}", request => !HeaderNames(request).Intersect(names, StringComparer.OrdinalIgnoreCase).Any());

    public static IEnumerable<string> HeaderNames(string request) =>
        request[..(request.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 2)].Split("\r\n").Skip(1).Where(line => line.Contains(':', StringComparison.Ordinal))
            .Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)]);

    public static string Show(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>One acceptable result of a row: the client's and the origin's.</summary>
internal sealed record Outcome(ClientExpect Client, OriginExpect Origin)
{
    public override string ToString() => $"client: {Client.Description}; origin: {Origin.Description}";
}

/// <summary>What the client must get over HTTP/2.</summary>
internal sealed record H2Expect(string Description, Func<Http2Outcome, bool> Holds)
{
    /// <summary>The stream or connection reset, or a 400 answer (the edge's own refusal).</summary>
    public static readonly H2Expect Refused = new("reset or 400", outcome => outcome.Refused || outcome.Status == 400);

    public static H2Expect Status(int status) => new($"status {status}", outcome => outcome.Status == status && outcome.Reset is null);
}

internal sealed record H2Outcome(H2Expect Client, OriginExpect Origin)
{
    public override string ToString() => $"client: {Client.Description}; origin: {Origin.Description}";
}

/// <summary>An HTTP/1.1 row: the client's bytes and the acceptable outcomes.</summary>
internal sealed record H1Row(string Name, string Request, Outcome[] Outcomes, int? StopAfter = null);

/// <summary>An HTTP/2 row: the header fields (in order, as sent), optional DATA, the TLS server name.</summary>
internal sealed record H2Row(string Name, (string Name, string Value)[] Fields, string? Data, H2Outcome[] Outcomes, string ServerName = "o.test");

/// <summary>
/// A response-side row: the origin misbehaves on cue for a first client; the first client must get
/// <see cref="First"/>, and a later client on a new connection must get its own answer
/// (<see cref="Second"/>), never bytes meant for anyone else.
/// </summary>
internal sealed record ResponseRow(
    string Name,
    Func<int, string, OriginCue> Cue,
    string FirstRequest,
    ClientExpect First,
    string SecondRequest,
    ClientExpect Second,
    OriginExpect? Origin = null,
    bool FirstIsHead = false);
