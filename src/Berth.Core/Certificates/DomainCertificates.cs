using Berth.Core.Data;
using Berth.Core.Domains;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Certificates;

/// <summary>
/// Each domain's certificate as the API shows it, from <c>Hosting_Certificates</c>: a domain that
/// wants an ACME certificate (<c>ssl=1</c>, <c>isCloudflare=0</c>) is <c>pending</c> until its row
/// says otherwise; every other domain is <c>none</c>. While nothing is ordered, a pending certificate's
/// reason says why (<see cref="CertificatesOptions.NotOrderedReason"/>).
/// </summary>
internal sealed class DomainCertificates(IDbContextFactory<BerthDbContext> contexts, CertificatesOptions options) : IDomainCertificates
{
    public async Task<IReadOnlyDictionary<long, CertificateState>> StatesAsync(IReadOnlyCollection<DomainName> domains, CancellationToken cancellationToken)
    {
        var wanted = domains.Where(CertificateReconciler.WantsCertificate).Select(d => d.Name).Distinct().ToList();
        Dictionary<string, HostingCertificate> rows = [];
        if (wanted.Count > 0)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            rows = await db.Certificates.AsNoTracking().Where(c => wanted.Contains(c.DomainName)).ToDictionaryAsync(c => c.DomainName, cancellationToken);
        }

        return domains.ToDictionary(d => d.Id, d =>
        {
            if (!CertificateReconciler.WantsCertificate(d))
            {
                return CertificateState.None;
            }

            var state = rows.TryGetValue(d.Name, out var row)
                ? new CertificateState(row.Status, row.ExpiresAt is { } expires ? SeedTime.Parse(expires) : null, row.LastError)
                : CertificateState.Pending;
            return state.Status == CertificateStatus.Pending && options.NotOrderedReason is { } reason
                ? state with { LastError = reason }
                : state;
        });
    }
}
