using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;

namespace Berth.Acme;

/// <summary>A response to a signed request, read to the end.</summary>
internal sealed record AcmeResponse(HttpStatusCode StatusCode, Uri? Location, TimeSpan? RetryAfter, byte[] Body)
{
    public T Read<T>(JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(Body, type) ?? throw new AcmeException(AcmeErrorTypes.Malformed, $"The ACME server sent an empty {typeof(T).Name}.");
}

/// <summary>
/// The wire protocol: the directory, the nonce pool (one cached nonce, refilled from every
/// response's Replay-Nonce), JWS-signed POSTs and problem documents turned into <see cref="AcmeException"/>.
/// </summary>
internal sealed class AcmeTransport(HttpClient http, Uri directoryUri, AcmeAccountKey key, AcmeClientOptions options, TimeProvider timeProvider, ILogger logger)
{
    private const string JoseJson = "application/jose+json";
    private const string ProblemJson = "application/problem+json";
    private DirectoryResource? _directory;
    private string? _nonce;

    /// <summary>The account URL (<c>kid</c>) once known; requests before that carry the <c>jwk</c>.</summary>
    public Uri? AccountUrl { get; set; }

    /// <summary>The nonce the next request will use; replaced in tests to provoke <c>badNonce</c>.</summary>
    public string? CachedNonce
    {
        get => Volatile.Read(ref _nonce);
        set => Volatile.Write(ref _nonce, value);
    }

    public async Task<DirectoryResource> GetDirectoryAsync(CancellationToken cancellationToken)
    {
        // Two callers racing here both fetch the same document; the last one wins, harmlessly.
        if (_directory is { } cached)
        {
            return cached;
        }

        using var response = await http.GetAsync(directoryUri, cancellationToken);
        await ThrowIfProblemAsync(response, null, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var directory = JsonSerializer.Deserialize(body, AcmeJsonContext.Default.DirectoryResource)
            ?? throw new AcmeException(AcmeErrorTypes.Malformed, $"{directoryUri} is not an ACME directory.");
        Log.DirectoryLoaded(logger, directoryUri);
        _directory = directory;
        return directory;
    }

    /// <summary>POST-as-GET (an empty payload), for reading orders, authorizations and certificates.</summary>
    public Task<AcmeResponse> PostAsGetAsync(Uri url, string? accept, CancellationToken cancellationToken) =>
        SendAsync(url, [], accept, cancellationToken);

    public Task<AcmeResponse> PostAsync<T>(Uri url, T payload, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        SendAsync(url, JsonSerializer.SerializeToUtf8Bytes(payload, type), null, cancellationToken);

    /// <summary>A POST whose payload is the empty JSON object, which is how a challenge is answered.</summary>
    public Task<AcmeResponse> PostEmptyObjectAsync(Uri url, CancellationToken cancellationToken) =>
        SendAsync(url, "{}"u8.ToArray(), null, cancellationToken);

    private async Task<AcmeResponse> SendAsync(Uri url, byte[] payload, string? accept, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var nonce = Interlocked.Exchange(ref _nonce, null) ?? await FetchNonceAsync(cancellationToken);
            var body = Jws.Sign(key, url, nonce, AccountUrl, payload);
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(JoseJson);
            if (accept is not null)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            }

            using var response = await http.SendAsync(request, cancellationToken);
            RememberNonce(response);
            try
            {
                await ThrowIfProblemAsync(response, url, cancellationToken);
            }
            catch (AcmeException problem) when (problem.ErrorType == AcmeErrorTypes.BadNonce && attempt <= options.BadNonceRetries)
            {
                Log.BadNonceRetry(logger, url, attempt);
                continue;
            }

            return new AcmeResponse(
                response.StatusCode,
                response.Headers.Location is { } location ? new Uri(url, location) : null,
                RetryAfter(response),
                await response.Content.ReadAsByteArrayAsync(cancellationToken));
        }
    }

    private async Task<string> FetchNonceAsync(CancellationToken cancellationToken)
    {
        var directory = await GetDirectoryAsync(cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Head, directory.NewNonce);
        using var response = await http.SendAsync(request, cancellationToken);
        await ThrowIfProblemAsync(response, directory.NewNonce, cancellationToken);
        return NonceOf(response) ?? throw new AcmeException(AcmeErrorTypes.Malformed, "The ACME server's newNonce response had no Replay-Nonce header.");
    }

    private void RememberNonce(HttpResponseMessage response)
    {
        if (NonceOf(response) is { } nonce)
        {
            CachedNonce = nonce;
        }
    }

    private static string? NonceOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Replay-Nonce", out var values) ? values.FirstOrDefault() : null;

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - timeProvider.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private async Task ThrowIfProblemAsync(HttpResponseMessage response, Uri? url, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        ProblemDocument? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is ProblemJson or "application/json")
        {
            try
            {
                problem = JsonSerializer.Deserialize(body, AcmeJsonContext.Default.ProblemDocument);
            }
            catch (JsonException)
            {
                // Not a problem document after all; reported below as a protocol failure.
            }
        }

        if (problem?.Type is null)
        {
            throw new AcmeException(
                AcmeErrorTypes.Malformed,
                $"The ACME server answered {(int)response.StatusCode} {response.ReasonPhrase} to {url} without a problem document.")
            {
                StatusCode = response.StatusCode,
                RetryAfter = RetryAfter(response),
            };
        }

        throw ToException(problem, response.StatusCode, RetryAfter(response));
    }

    /// <summary>A problem document as an exception; subproblems (one per identifier) join the detail.</summary>
    public static AcmeException ToException(ProblemDocument problem, HttpStatusCode? status, TimeSpan? retryAfter)
    {
        var detail = problem.Detail;
        if (problem.Subproblems is { Count: > 0 } subproblems)
        {
            var parts = subproblems.Select(sub => $"{sub.Identifier?.Value}: {sub.Type}: {sub.Detail}");
            detail = $"{detail} ({string.Join("; ", parts)})";
        }

        return new AcmeException(problem.Type ?? AcmeErrorTypes.Malformed, detail)
        {
            StatusCode = status,
            Identifier = problem.Identifier?.Value ?? (problem.Subproblems is [{ Identifier: { } only }] ? only.Value : null),
            RetryAfter = retryAfter,
        };
    }
}
