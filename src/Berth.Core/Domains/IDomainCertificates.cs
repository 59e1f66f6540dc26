namespace Berth.Core.Domains;

/// <summary>
/// Tells the API where each domain's certificate stands. The certificate work replaces the
/// default, which knows no certificates: <c>ssl=0</c> is <c>none</c>, <c>ssl=1</c> is <c>pending</c>.
/// </summary>
public interface IDomainCertificates
{
    Task<IReadOnlyDictionary<long, CertificateState>> StatesAsync(IReadOnlyCollection<DomainName> domains, CancellationToken cancellationToken);
}

internal sealed class NoDomainCertificates : IDomainCertificates
{
    public Task<IReadOnlyDictionary<long, CertificateState>> StatesAsync(IReadOnlyCollection<DomainName> domains, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<long, CertificateState>>(
            domains.ToDictionary(d => d.Id, d => d.Ssl ? CertificateState.Pending : CertificateState.None));
}
