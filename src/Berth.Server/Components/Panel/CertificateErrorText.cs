using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;

namespace Berth.Server.Components.Panel;

/// <summary>
/// A certificate's last error (stored in English by the certificate reconciler) in the reader's
/// language: Berth's own advice is translated whole; what the certificate authority itself answered is
/// its own words, introduced in the reader's language.
/// </summary>
internal static partial class CertificateErrorText
{
    private static readonly (Regex Pattern, string Key)[] Messages =
    [
        (NotFound(), "NotFound"),
        (NotSecure(), "NotSecure"),
        (NotReached(), "NotReached"),
        (NoAnswer(), "NoAnswer"),
        (Anything(), "FromAuthority"),
    ];

    public static string Render(IStringLocalizer localizer, string error) => ActivityText.Translate(localizer, "Certificate.Error.", Messages, error);

    // Berth's own texts (CertificateReconciler.Describe); an error is only ever recorded with a directory, so with its host.
    [GeneratedRegex(@"^The certificate authority at (\S+) could not be found: its name does not resolve\..*$", RegexOptions.CultureInvariant)]
    private static partial Regex NotFound();

    [GeneratedRegex(@"^The certificate authority at (\S+) could not be reached securely: its TLS certificate was not accepted\..*$", RegexOptions.CultureInvariant)]
    private static partial Regex NotSecure();

    [GeneratedRegex(@"^The certificate authority at (\S+) could not be reached: .*$", RegexOptions.CultureInvariant)]
    private static partial Regex NotReached();

    [GeneratedRegex(@"^The certificate authority at (\S+) did not answer in time: .*$", RegexOptions.CultureInvariant)]
    private static partial Regex NoAnswer();

    // Anything else is the authority's own answer (an ACME problem's detail); Berth's texts never reach here.
    [GeneratedRegex(@"^(?!The certificate authority)(.+)$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex Anything();
}
