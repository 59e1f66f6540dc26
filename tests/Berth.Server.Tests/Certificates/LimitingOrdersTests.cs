using Berth.Acme;
using Berth.Core.Data;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Certificates;

/// <summary>
/// The client-side order limit: with room for one order per hour, a second name waits, marked failed
/// with the reason, until the window frees, instead of reaching the CA's own limits.
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class LimitingOrdersTests : IAsyncLifetime
{
    private CertificateHost _berth = null!;

    public async Task InitializeAsync() => _berth = await CertificateHost.StartAsync(TestCa.Standard, settings => settings with
    {
        Edge = settings.Edge with
        {
            AcmeClient = new AcmeClientOptions { MaxOrdersPerWindow = 1, OrderWindow = TimeSpan.FromHours(1), PollInterval = TimeSpan.FromMilliseconds(200) },
        },
    });

    public async Task DisposeAsync() => await _berth.DisposeAsync();

    [Fact]
    public async Task OrdersPastTheLimit_WaitForTheWindow_WithTheReasonShown()
    {
        var first = await _berth.Admin.AddDomainAsync(CertificateHost.ServerId, "first.admin.test", ssl: true);
        await _berth.Admin.WaitForStatusAsync(CertificateHost.ServerId, first, "issued");

        var second = await _berth.Admin.AddDomainAsync(CertificateHost.ServerId, "second.admin.test", ssl: true);
        var failed = await _berth.Admin.WaitForStatusAsync(CertificateHost.ServerId, second, "failed");

        Assert.Contains(AcmeErrorTypes.RateLimited, failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var row = await _berth.Host.Services.StoredCertificateAsync("second.admin.test");
        var nextAttempt = SeedTime.Parse(row!.NextAttemptAt!)!.Value;
        // Not the 1-second backoff of the first failure: the limiter's own wait, most of an hour.
        Assert.True(nextAttempt > TimeProvider.System.GetUtcNow().AddMinutes(50), $"next attempt at {nextAttempt:O}");
        Assert.Equal(1, row.Attempts);
    }
}
