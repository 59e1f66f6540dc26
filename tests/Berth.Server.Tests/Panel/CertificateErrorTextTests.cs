using Berth.Core.Certificates;
using Berth.Server.Components.Panel;

namespace Berth.Server.Tests.Panel;

/// <summary>A certificate's last error, stored in English, shown in Lithuanian (it appeared in English on the Lithuanian panel).</summary>
public sealed class CertificateErrorTextTests
{
    private static readonly Uri Directory = new("https://acme.example.org/directory");

    public static TheoryData<string, Exception> BerthsOwnTexts => new()
    {
        { "nerastas", new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known") },
        { "nepavyko saugiai", new HttpRequestException(HttpRequestError.SecureConnectionError, "The SSL connection could not be established") },
        { "nepasiekiamas", new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused") },
        { "laiku neatsakė", new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout") },
    };

    [Theory]
    [MemberData(nameof(BerthsOwnTexts))]
    public void BerthsOwnAdvice_IsTranslatedWhole_NamingTheAuthority(string lithuanianWords, Exception failure)
    {
        var stored = CertificateReconciler.Describe(failure, Directory);

        var shown = PanelLanguage.In("lt", () => CertificateErrorText.Render(PanelLanguage.Text, stored));

        Assert.Contains(lithuanianWords, shown, StringComparison.Ordinal);
        Assert.Contains("acme.example.org", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("The certificate authority", shown, StringComparison.Ordinal);
        Assert.Equal(stored, PanelLanguage.In("en", () => CertificateErrorText.Render(PanelLanguage.Text, stored)));
    }

    [Fact]
    public void TheAuthoritysOwnAnswer_IsIntroducedInLithuanian_AndKeptAsItSaid()
    {
        const string answer = "Error creating new order :: too many certificates already issued";

        var shown = PanelLanguage.In("lt", () => CertificateErrorText.Render(PanelLanguage.Text, answer));

        Assert.Equal($"Sertifikatų tiekėjo atsakymas: {answer}", shown);
    }
}
