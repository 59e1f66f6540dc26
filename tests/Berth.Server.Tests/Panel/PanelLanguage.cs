using System.Globalization;
using Berth.Server.Components;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Berth.Server.Tests.Panel;

/// <summary>The panel's strings outside a browser: its localizer, and a way to read them in one language.</summary>
internal static class PanelLanguage
{
    public static readonly IStringLocalizer Text = new ResourceManagerStringLocalizerFactory(
        Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance).Create(typeof(PanelText));

    /// <summary>
    /// Runs <paramref name="read"/> with <paramref name="culture"/> as the culture and UI culture, as a panel
    /// circuit in that language would (the panel's request localization sets both).
    /// </summary>
    public static string In(string culture, Func<string> read)
    {
        var (before, beforeUi) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return read();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (before, beforeUi);
        }
    }
}
