using System.Net;
using Berth.Proxy;
using Berth.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Certificates;

/// <summary>
/// With the certificate loop's timer set far away (10 minutes), a name that is no longer served
/// loses its certificate within seconds all the same: deleting its domain or its whole server
/// wakes the loop.
/// </summary>
[Collection(SharedEngine.Name)]
public sealed class DroppingCertificatesAtOnceTests : IAsyncLifetime
{
    private const int WithinSeconds = 10;
    private CertificateHost _berth = null!;

    public async Task InitializeAsync() =>
        _berth = await CertificateHost.StartAsync(TestCa.Standard, s => s with { Edge = s.Edge with { CertificatesInterval = TimeSpan.FromMinutes(10) } });

    public async Task DisposeAsync() => await _berth.DisposeAsync();

    [Fact]
    public async Task DeletingADomain_DropsItsCertificateAtOnce()
    {
        const string name = "domain-gone.admin.test";
        var id = await IssueAsync(name);

        var deleted = await _berth.Admin.DeleteAsync($"/api/servers/{CertificateHost.ServerId}/domains/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        await AssertDroppedAsync(name);
    }

    [Fact]
    public async Task DeletingAServer_DropsTheCertificatesOfItsDomainsAtOnce()
    {
        const string first = "server-gone.admin.test";
        const string second = "www.server-gone.admin.test";
        await IssueAsync(first);
        await IssueAsync(second);

        var deleted = await _berth.Admin.DeleteAsync($"/api/servers/{CertificateHost.ServerId}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);

        await AssertDroppedAsync(first);
        await AssertDroppedAsync(second);
    }

    private async Task<long> IssueAsync(string name)
    {
        var id = await _berth.Admin.AddDomainAsync(CertificateHost.ServerId, name, ssl: true);
        await _berth.Admin.WaitForStatusAsync(CertificateHost.ServerId, id, "issued");
        var cache = _berth.Host.Services.GetRequiredService<EdgeCertificateCache>();
        Assert.True(await CertificateSteps.EventuallyAsync(() => Task.FromResult(cache.Contains(name))), $"{name} never reached the edge");
        return id;
    }

    private async Task AssertDroppedAsync(string name)
    {
        var cache = _berth.Host.Services.GetRequiredService<EdgeCertificateCache>();
        Assert.True(
            await CertificateSteps.EventuallyAsync(() => Task.FromResult(!cache.Contains(name)), WithinSeconds),
            $"the certificate of {name} stayed in the edge for {WithinSeconds} s after its name stopped being served");
        Assert.Null(await _berth.Host.Services.StoredCertificateAsync(name));
        Assert.Null(await TestCa.HandshakeAsync(_berth.EdgeHttps, name));
    }
}
