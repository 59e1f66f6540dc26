using Berth.Core.Accounts;
using Berth.Core.Activity;
using Berth.Core.Certificates;
using Berth.Core.Domains;
using Berth.Core.Forwards;
using Berth.Core.Monitoring;
using Berth.Core.Servers;
using Berth.Core.Settings;
using Berth.Core.Ssh;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Data;

/// <summary>
/// The one EF Core model of Berth. The seed's six tables keep their names and columns; Berth's
/// own tables follow the same naming style. Provider projects (Berth.Data.Sqlite,
/// Berth.Data.PostgreSql) own the migrations.
/// </summary>
public sealed class BerthDbContext(DbContextOptions<BerthDbContext> options, IDatabaseWriteGate writeGate)
    : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<RegistrationCode> RegistrationCodes => Set<RegistrationCode>();

    public DbSet<VirtualServer> VirtualServers => Set<VirtualServer>();

    public DbSet<DockerContainer> DockerContainers => Set<DockerContainer>();

    public DbSet<ServerUsage> ServerUsage => Set<ServerUsage>();

    public DbSet<DomainName> DomainNames => Set<DomainName>();

    public DbSet<DomainOptions> DomainOptions => Set<DomainOptions>();

    public DbSet<Domains.Verification.DomainVerification> DomainVerifications => Set<Domains.Verification.DomainVerification>();

    public DbSet<HostingCertificate> Certificates => Set<HostingCertificate>();

    public DbSet<AcmeAccountRecord> AcmeAccounts => Set<AcmeAccountRecord>();

    public DbSet<ActivityEntry> RecentActivity => Set<ActivityEntry>();

    public DbSet<SystemSetting> Settings => Set<SystemSetting>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<Accounts.Tokens.ApiToken> ApiTokens => Set<Accounts.Tokens.ApiToken>();

    public DbSet<ServerSettings> ServerSettings => Set<ServerSettings>();

    public DbSet<UserQuota> UserQuotas => Set<UserQuota>();

    public DbSet<PortForward> PortForwards => Set<PortForward>();

    public DbSet<ForwardQuota> ForwardQuotas => Set<ForwardQuota>();

    public DbSet<SshKey> SshKeys => Set<SshKey>();

    private bool _holdsWriteGate;

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (_holdsWriteGate)
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        // SQLite has one writer; queueing writers in-process keeps "database is locked" away from callers.
        using var _ = await writeGate.EnterAsync(cancellationToken);
        return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>
    /// Runs several saves as one transaction: all of them land or none. The write gate is held for
    /// the whole transaction, so another writer in this process waits instead of failing on the lock.
    /// </summary>
    public async Task<T> InWriteTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (_holdsWriteGate)
        {
            return await work(cancellationToken);
        }

        using var _ = await writeGate.EnterAsync(cancellationToken);
        _holdsWriteGate = true;
        try
        {
            await using var transaction = await Database.BeginTransactionAsync(cancellationToken);
            var result = await work(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        catch
        {
            ChangeTracker.Clear();
            throw;
        }
        finally
        {
            _holdsWriteGate = false;
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        throw new NotSupportedException("Use SaveChangesAsync: writes are queued through the write gate.");

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(BerthDbContext).Assembly);
}
