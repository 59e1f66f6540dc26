using Berth.Acme;
using Berth.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Berth.Core.Certificates;

/// <summary>
/// The platform's ACME client: one account per directory, its key generated once and kept (protected)
/// in <c>Hosting_AcmeAccounts</c>. The account is registered (or found again: the CA recognises the
/// key) the first time a certificate is needed, so a CA that is down never stops <c>berth serve</c>.
/// </summary>
public sealed partial class AcmeAccounts(
    IDbContextFactory<BerthDbContext> contexts,
    PrivateKeyProtector keys,
    CertificatesOptions options,
    TimeProvider clock,
    ILoggerFactory loggers) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ILogger _logger = loggers.CreateLogger<AcmeAccounts>();
    private HttpClient? _http;
    private AcmeAccountKey? _key;
    private AcmeClient? _client;

    /// <summary>The client of the configured directory, with its account registered.</summary>
    public async Task<AcmeClient> GetClientAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _client) is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _client ??= await CreateClientAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<AcmeClient> CreateClientAsync(CancellationToken cancellationToken)
    {
        var directoryUri = options.Directory ?? throw new InvalidOperationException("No ACME directory is configured.");
        var directory = directoryUri.AbsoluteUri;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.AcmeAccounts.FirstOrDefaultAsync(a => a.Directory == directory, cancellationToken);
        var key = _key ??= row is null ? AcmeAccountKey.Generate() : AcmeAccountKey.FromPem(keys.Unprotect(row.AccountKey));
        _http ??= new HttpClient(AcmeTrust.CreateHandler(options.TrustRootFile is { } root ? AcmeTrust.LoadRoot(root) : null))
        {
            Timeout = TimeSpan.FromSeconds(60),
        };

        var client = new AcmeClient(_http, directoryUri, key, options.Acme, clock, loggers.CreateLogger<AcmeClient>());
        var contacts = options.Email is { Length: > 0 } email ? new[] { "mailto:" + email } : [];
        // Configuring a CA is the operator's agreement to its terms of service.
        var account = await client.CreateAccountAsync(contacts, termsOfServiceAgreed: true, cancellationToken);

        if (row is null)
        {
            row = new AcmeAccountRecord { Directory = directory, AccountKey = keys.Protect(key.ExportPem()), CreatedAt = SeedTime.Now(clock) };
            db.AcmeAccounts.Add(row);
        }

        row.AccountUrl = account.Location.AbsoluteUri;
        row.Email = options.Email ?? "";
        await db.SaveChangesAsync(cancellationToken);
        LogAccountReady(_logger, account.Location, directory);
        return client;
    }

    public void Dispose()
    {
        _http?.Dispose();
        _key?.Dispose();
        _gate.Dispose();
    }

    [LoggerMessage(EventId = 3300, Level = LogLevel.Information, Message = "ACME account {AccountUrl} ready at {Directory}")]
    private static partial void LogAccountReady(ILogger logger, Uri accountUrl, string directory);
}
