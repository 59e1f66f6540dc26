using System.Net.Sockets;
using Berth.Core.Certificates;

namespace Berth.Core.Tests.Certificates;

/// <summary>What a person reads when a certificate is not ordered or its order failed.</summary>
public sealed class CertificateFailureReasonTests
{
    private static readonly Uri LetsEncrypt = new("https://acme-v02.api.letsencrypt.org/directory");

    [Fact]
    public void Describe_UnresolvableCa_NamesTheCaAndWhatToCheck_NotTheResolverError()
    {
        var raw = new HttpRequestException(
            HttpRequestError.NameResolutionError, "Name or service not known (acme-v02.api.letsencrypt.org:443)", new SocketException(-131073));

        var reason = CertificateReconciler.Describe(raw, LetsEncrypt);

        Assert.Contains("The certificate authority at acme-v02.api.letsencrypt.org", reason, StringComparison.Ordinal);
        Assert.Contains("--acme-directory", reason, StringComparison.Ordinal);
        Assert.Contains("DNS", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Name or service not known", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_UnreachableCa_SaysToCheckInternetAccessAndTheDirectory()
    {
        var raw = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:14000)");

        var reason = CertificateReconciler.Describe(raw, new Uri("https://127.0.0.1:14000/dir"));

        Assert.Equal(
            "The certificate authority at 127.0.0.1 could not be reached: check the server's internet access and --acme-directory.", reason);
    }

    [Fact]
    public void Describe_CaThatTimesOut_SaysSo()
    {
        var reason = CertificateReconciler.Describe(new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout"), LetsEncrypt);

        Assert.StartsWith("The certificate authority at acme-v02.api.letsencrypt.org did not answer in time", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NotOrderedReason_NamesWhyAndWhatToChange()
    {
        Assert.Null(new CertificatesOptions().NotOrderedReason);

        var loopback = new CertificatesOptions { Directory = null, LoopbackOnly = true }.NotOrderedReason;
        Assert.NotNull(loopback);
        Assert.Contains("loopback", loopback, StringComparison.Ordinal);
        Assert.Contains("--acme-directory", loopback, StringComparison.Ordinal);
        Assert.Contains("--edge-https", loopback, StringComparison.Ordinal);

        var turnedOff = new CertificatesOptions { Directory = null }.NotOrderedReason;
        Assert.NotNull(turnedOff);
        Assert.Contains("--acme-directory none", turnedOff, StringComparison.Ordinal);
    }
}
