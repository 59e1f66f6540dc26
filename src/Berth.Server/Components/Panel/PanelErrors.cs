using System.Globalization;
using Berth.Core.Errors;
using Microsoft.Extensions.Localization;

namespace Berth.Server.Components.Panel;

/// <summary>
/// A refusal of the application services, in the reader's language. The services speak English
/// with a stable code; the panel looks the code up (<c>Error.CODE</c>) and falls back to the
/// service's own English message, which is the more precise one for English readers.
/// </summary>
internal static class PanelErrors
{
    public static string Text(IStringLocalizer localizer, BerthException error)
    {
        if (error.Kind == ErrorKind.TooManyRequests)
        {
            var seconds = (int)Math.Ceiling((error.RetryAfter ?? TimeSpan.FromMinutes(1)).TotalSeconds);
            return localizer["Error.TooManyAttempts", seconds];
        }

        if (CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en")
        {
            return error.Message;
        }

        // The rule's own text first (one code can cover several rules), then the code's.
        if (error.Reason is { } reason && localizer["Error." + error.Code + "." + reason] is { ResourceNotFound: false } precise)
        {
            return precise.Value;
        }

        var translated = localizer["Error." + error.Code];
        return translated.ResourceNotFound ? error.Message : translated.Value;
    }

    /// <summary>A rule's verdict (code, English message, the rule's reason) in the reader's language.</summary>
    public static string Text(IStringLocalizer localizer, string code, string message, string? reason = null) =>
        Text(localizer, new BerthException(ErrorKind.Invalid, code, message) { Reason = reason });
}
