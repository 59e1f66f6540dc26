using Microsoft.AspNetCore.DataProtection;

namespace Berth.Core.Certificates;

/// <summary>
/// Protects private keys (certificates' and the ACME account's) before they reach the database, and
/// unprotects them when they are loaded. A copy of the database alone (a backup, a PostgreSQL dump)
/// holds no usable key: the Data Protection key ring lives in the data root, not in the database.
/// </summary>
public sealed class PrivateKeyProtector(IDataProtectionProvider provider)
{
    // The purpose isolates these payloads from every other use of Data Protection in the process.
    private readonly IDataProtector _protector = provider.CreateProtector("Berth.Certificates.PrivateKeys.v1");

    public string Protect(string privateKeyPem) => _protector.Protect(privateKeyPem);

    public string Unprotect(string protectedKey) => _protector.Unprotect(protectedKey);
}
