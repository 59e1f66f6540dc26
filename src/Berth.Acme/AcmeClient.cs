using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Acme;

/// <summary>
/// An RFC 8555 client for one account on one ACME server: finds or creates the account, and
/// issues certificates for DNS names through HTTP-01 challenges. Safe to share; concurrent
/// issuances interleave on the server.
/// </summary>
public sealed class AcmeClient
{
    private const string Http01 = "http-01";
    private const string PemChain = "application/pem-certificate-chain";
    private readonly AcmeTransport _transport;
    private readonly AcmeAccountKey _accountKey;
    private readonly AcmeClientOptions _options;
    private readonly OrderRateLimiter _orderLimit;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates a client; nothing is sent until the first call.</summary>
    /// <param name="httpClient">
    /// Carries every request. For a server whose HTTPS listener is signed by a private root, give it
    /// a handler from <see cref="AcmeTrust.CreateHandler"/>.
    /// </param>
    /// <param name="directoryUri">The server's directory URL, for example Let's Encrypt's <c>https://acme-v02.api.letsencrypt.org/directory</c>.</param>
    /// <param name="accountKey">The account key; the caller keeps it and disposes of it after the client.</param>
    /// <param name="options">Limits and timings; defaults when null.</param>
    /// <param name="timeProvider">The clock for polling and the order limit; the system clock when null.</param>
    /// <param name="logger">Where progress is logged; nowhere when null.</param>
    public AcmeClient(
        HttpClient httpClient,
        Uri directoryUri,
        AcmeAccountKey accountKey,
        AcmeClientOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<AcmeClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(directoryUri);
        ArgumentNullException.ThrowIfNull(accountKey);
        _options = options ?? new AcmeClientOptions();
        _options.Validate();
        _accountKey = accountKey;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _orderLimit = new OrderRateLimiter(_options.MaxOrdersPerWindow, _options.OrderWindow, _timeProvider);
        _transport = new AcmeTransport(httpClient, directoryUri, accountKey, _options, _timeProvider, _logger);
    }

    /// <summary>The account URL once the account was created or found.</summary>
    public Uri? AccountUrl => _transport.AccountUrl;

    internal AcmeTransport Transport => _transport;

    internal OrderRateLimiter OrderLimit => _orderLimit;

    /// <summary>
    /// Creates the account for this key, or returns the existing one (the server recognises the key).
    /// </summary>
    /// <param name="contacts">Contact URIs such as <c>mailto:ops@example.com</c>; may be empty.</param>
    /// <param name="termsOfServiceAgreed">Whether the operator agreed to the server's terms of service.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    public async Task<AcmeAccount> CreateAccountAsync(IReadOnlyList<string> contacts, bool termsOfServiceAgreed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contacts);
        var request = new NewAccountRequest(contacts, termsOfServiceAgreed, null);
        return await PostNewAccountAsync(request, cancellationToken);
    }

    /// <summary>Finds the existing account for this key; null when the server knows none.</summary>
    public async Task<AcmeAccount?> FindAccountAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await PostNewAccountAsync(new NewAccountRequest(null, null, OnlyReturnExisting: true), cancellationToken);
        }
        catch (AcmeException problem) when (problem.ErrorType == AcmeErrorTypes.AccountDoesNotExist)
        {
            return null;
        }
    }

    /// <summary>
    /// Orders a certificate for <paramref name="dnsNames"/>, answers each authorization's HTTP-01
    /// challenge through <paramref name="challenges"/>, finalises the order with a CSR for a new
    /// ECDSA P-256 key and downloads the chain.
    /// </summary>
    /// <exception cref="AcmeException">
    /// The server refused a step (a failed validation carries the challenge's error type, detail and
    /// identifier), or this client's order limit was reached (<see cref="AcmeErrorTypes.RateLimited"/>).
    /// </exception>
    /// <exception cref="TimeoutException">An authorization or the order stayed pending past <see cref="AcmeClientOptions.PollTimeout"/>.</exception>
    public async Task<AcmeCertificate> IssueCertificateAsync(IReadOnlyList<string> dnsNames, IHttp01ChallengeStore challenges, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(challenges);
        if (dnsNames.Count == 0 || dnsNames.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("At least one DNS name is needed, and none may be blank.", nameof(dnsNames));
        }

        var names = dnsNames.Select(name => name.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToArray();
        var described = string.Join(", ", names);
        await EnsureAccountAsync(cancellationToken);
        if (!_orderLimit.TryAcquire(out var retryAfter))
        {
            Log.OrderRateLimited(_logger, retryAfter);
            throw new AcmeException(
                AcmeErrorTypes.RateLimited,
                $"This client placed {_options.MaxOrdersPerWindow} orders in the last {_options.OrderWindow}; the next one is allowed in {retryAfter:g}.")
            {
                RetryAfter = retryAfter,
            };
        }

        var directory = await _transport.GetDirectoryAsync(cancellationToken);
        var placed = await _transport.PostAsync(
            directory.NewOrder,
            new NewOrderRequest([.. names.Select(name => new AcmeIdentifier("dns", name))]),
            AcmeJsonContext.Default.NewOrderRequest,
            cancellationToken);
        var orderUrl = placed.Location ?? throw new AcmeException(AcmeErrorTypes.Malformed, "The ACME server created an order without a Location.");
        var order = placed.Read(AcmeJsonContext.Default.OrderResource);
        Log.OrderPlaced(_logger, orderUrl, described);

        foreach (var authorization in order.Authorizations)
        {
            await AuthorizeAsync(authorization, challenges, cancellationToken);
        }

        order = await PollAsync(orderUrl, AcmeJsonContext.Default.OrderResource, o => o.Status, "pending", cancellationToken);
        ThrowIfInvalid(order);

        using var certificateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = CreateSigningRequest(names, certificateKey);
        var finalized = await _transport.PostAsync(order.Finalize, new FinalizeRequest(Base64Url.EncodeToString(csr)), AcmeJsonContext.Default.FinalizeRequest, cancellationToken);
        order = finalized.Read(AcmeJsonContext.Default.OrderResource);
        if (order.Status is "processing" or "ready")
        {
            order = await PollAsync(orderUrl, AcmeJsonContext.Default.OrderResource, o => o.Status, "processing", cancellationToken);
        }

        ThrowIfInvalid(order);
        var certificateUrl = order.Certificate
            ?? throw new AcmeException(AcmeErrorTypes.Malformed, $"The ACME order {orderUrl} is {order.Status} but names no certificate.");
        var download = await _transport.PostAsGetAsync(certificateUrl, PemChain, cancellationToken);
        var chainPem = Encoding.ASCII.GetString(download.Body);
        var certificate = Describe(chainPem, certificateKey, names);
        Log.CertificateIssued(_logger, described, certificate.NotAfter);
        return certificate;
    }

    private async Task EnsureAccountAsync(CancellationToken cancellationToken)
    {
        if (_transport.AccountUrl is null && await FindAccountAsync(cancellationToken) is null)
        {
            throw new InvalidOperationException("The ACME server has no account for this key; call CreateAccountAsync first.");
        }
    }

    private async Task<AcmeAccount> PostNewAccountAsync(NewAccountRequest request, CancellationToken cancellationToken)
    {
        var directory = await _transport.GetDirectoryAsync(cancellationToken);
        // newAccount is always signed with the jwk, even when the account URL is already known.
        var known = _transport.AccountUrl;
        _transport.AccountUrl = null;
        AcmeResponse response;
        try
        {
            response = await _transport.PostAsync(directory.NewAccount, request, AcmeJsonContext.Default.NewAccountRequest, cancellationToken);
        }
        catch
        {
            _transport.AccountUrl = known;
            throw;
        }

        var location = response.Location ?? throw new AcmeException(AcmeErrorTypes.Malformed, "The ACME server's account response had no Location.");
        var account = response.Body.Length > 0 ? response.Read(AcmeJsonContext.Default.AccountResource) : new AccountResource("valid", null);
        _transport.AccountUrl = location;
        Log.AccountReady(_logger, location, account.Status ?? "valid");
        return new AcmeAccount(location, account.Status ?? "valid", account.Contact ?? []);
    }

    private async Task AuthorizeAsync(Uri authorizationUrl, IHttp01ChallengeStore challenges, CancellationToken cancellationToken)
    {
        var authorization = (await _transport.PostAsGetAsync(authorizationUrl, null, cancellationToken)).Read(AcmeJsonContext.Default.AuthorizationResource);
        var name = authorization.Identifier.Value;
        if (authorization.Status == "valid")
        {
            return;
        }

        if (authorization.Status != "pending")
        {
            throw AuthorizationFailure(authorization);
        }

        var challenge = authorization.Challenges.FirstOrDefault(c => c.Type == Http01 && c.Token is not null)
            ?? throw new AcmeException(AcmeErrorTypes.Malformed, $"The ACME server offered no http-01 challenge for {name}.") { Identifier = name };
        var token = challenge.Token!;
        await challenges.PublishAsync(token, _accountKey.KeyAuthorization(token), cancellationToken);
        Log.ChallengePublished(_logger, name, token);
        try
        {
            await _transport.PostEmptyObjectAsync(challenge.Url, cancellationToken);
            authorization = await PollAsync(authorizationUrl, AcmeJsonContext.Default.AuthorizationResource, a => a.Status, "pending", cancellationToken);
        }
        finally
        {
            await challenges.RemoveAsync(token, CancellationToken.None);
        }

        if (authorization.Status != "valid")
        {
            throw AuthorizationFailure(authorization);
        }
    }

    private AcmeException AuthorizationFailure(AuthorizationResource authorization)
    {
        var name = authorization.Identifier.Value;
        var failed = authorization.Challenges.FirstOrDefault(c => c.Error is not null);
        var problem = failed?.Error is { } error
            ? AcmeTransport.ToException(error, null, null)
            : new AcmeException(AcmeErrorTypes.Unauthorized, $"The authorization for {name} is {authorization.Status}.");
        Log.AuthorizationFailed(_logger, name, problem.ErrorType, problem.Detail);
        return new AcmeException(problem.ErrorType, problem.Detail) { Identifier = problem.Identifier ?? name };
    }

    private static void ThrowIfInvalid(OrderResource order)
    {
        if (order.Status == "invalid")
        {
            throw order.Error is { } error
                ? AcmeTransport.ToException(error, null, null)
                : new AcmeException(AcmeErrorTypes.ServerInternal, "The ACME order became invalid without an error.");
        }
    }

    /// <summary>
    /// Re-reads <paramref name="url"/> while its status is <paramref name="waitingStatus"/>, pausing
    /// as Retry-After asks (within bounds), until <see cref="AcmeClientOptions.PollTimeout"/>.
    /// </summary>
    private async Task<T> PollAsync<T>(Uri url, JsonTypeInfo<T> type, Func<T, string> status, string waitingStatus, CancellationToken cancellationToken)
    {
        var deadline = _timeProvider.GetUtcNow() + _options.PollTimeout;
        while (true)
        {
            var response = await _transport.PostAsGetAsync(url, null, cancellationToken);
            var resource = response.Read(type);
            var current = status(resource);
            if (current != waitingStatus)
            {
                return resource;
            }

            var delay = response.RetryAfter ?? _options.PollInterval;
            delay = delay < _options.PollInterval ? _options.PollInterval : delay > _options.MaxPollInterval ? _options.MaxPollInterval : delay;
            if (_timeProvider.GetUtcNow() + delay > deadline)
            {
                throw new TimeoutException($"The ACME resource {url} was still {current} after {_options.PollTimeout}.");
            }

            Log.Polling(_logger, url, current, delay);
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }
    }

    private static byte[] CreateSigningRequest(string[] names, ECDsa key)
    {
        // The subject's common name is limited to 64 characters; the SAN list is what counts.
        var subject = names[0].Length <= 64 ? new X500DistinguishedName($"CN={names[0]}") : new X500DistinguishedName(string.Empty);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequest();
    }

    private static AcmeCertificate Describe(string chainPem, ECDsa key, string[] names)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(chainPem);
        if (chain.Count == 0)
        {
            throw new AcmeException(AcmeErrorTypes.Malformed, "The ACME server's certificate download held no certificate.");
        }

        try
        {
            var leaf = chain[0];
            using var leafKey = leaf.GetECDsaPublicKey();
            if (leafKey is null || !leafKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                throw new AcmeException(AcmeErrorTypes.Malformed, "The ACME server's certificate does not match the key of the signing request.");
            }

            return new AcmeCertificate(chainPem, key.ExportPkcs8PrivateKeyPem(), names, new DateTimeOffset(leaf.NotBefore.ToUniversalTime()), new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
        }
        finally
        {
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }
        }
    }
}
