using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Localization;

namespace Berth.Server.Components.Panel;

/// <summary>
/// Activity rows in the reader's language. The rows are stored in English, as the seed's
/// <c>System_RecentActivity.Message</c> and the original platform have them (other tools read them);
/// the panel recognises each message the services write and shows its translation
/// (<c>Activity.Message.*</c>), with the names and numbers it carries. A message it does not know,
/// such as one an older version wrote, is shown as stored.
/// </summary>
internal static partial class ActivityText
{
    // Most specific first: the first pattern that matches decides.
    private static readonly (Regex Pattern, string Key)[] Messages =
    [
        (ServerCreated(), "ServerCreated"),
        (ServerDeleted(), "ServerDeleted"),
        (ServerStarted(), "ServerStarted"),
        (ServerStopped(), "ServerStopped"),
        (ServerRenamed(), "ServerRenamed"),
        (StackCreated(), "StackCreated"),
        (StackEdited(), "StackEdited"),
        (StackAction(), "StackAction"),
        (StackDeleted(), "StackDeleted"),
        (FileUploaded(), "FileUploaded"),
        (FileSaved(), "FileSaved"),
        (FileCreated(), "FileCreated"),
        (FolderCreated(), "FolderCreated"),
        (FileRenamed(), "FileRenamed"),
        (FileDeleted(), "FileDeleted"),
        (TerminalOpened(), "TerminalOpened"),
        (LimitsSet(), "LimitsSet"),
        (QuotaSet(), "QuotaSet"),
        (DomainAddedWithPulls(), "DomainAddedWithPulls"),
        (DomainAdded(), "DomainAdded"),
        (DomainEdited(), "DomainEdited"),
        (DomainRemoved(), "DomainRemoved"),
        (DomainChecked(), "DomainChecked"),
        (ForwardAdded(), "ForwardAdded"),
        (ForwardUpdated(), "ForwardUpdated"),
        (ForwardDeleted(), "ForwardDeleted"),
        (ForwardQuotaSet(), "ForwardQuotaSet"),
        (SshKeyAdded(), "SshKeyAdded"),
        (SshKeyDeleted(), "SshKeyDeleted"),
        (UserEdited(), "UserEdited"),
        (UserDeleted(), "UserDeleted"),
        (UserCreatedDisabled(), "UserCreatedDisabled"),
        (UserCreated(), "UserCreated"),
        (LoggedOut(), "LoggedOut"),
        (PasswordReset(), "PasswordReset"),
        (PasswordChanged(), "PasswordChanged"),
        (LoggedIn(), "LoggedIn"),
        (CodeGenerated(), "CodeGenerated"),
        (CodeRevoked(), "CodeRevoked"),
        (Registered(), "Registered"),
        (TokenCreated(), "TokenCreated"),
        (TokenRevoked(), "TokenRevoked"),
    ];

    /// <summary>The row in the reader's language; an action done with an API token keeps naming the token at the end.</summary>
    public static string Render(IStringLocalizer localizer, string message)
    {
        if (CultureInfo.CurrentUICulture.TwoLetterISOLanguageName != "en" && ViaToken().Match(message) is { Success: true } via)
        {
            var action = via.Groups[1].Value;
            var translated = Translate(localizer, "Activity.Message.", Messages, action);
            return translated == action ? message : translated + localizer["Activity.ViaToken", via.Groups[2].Value].Value;
        }

        return Translate(localizer, "Activity.Message.", Messages, message);
    }

    /// <summary>
    /// A message stored in English, in the reader's language: the first pattern of <paramref name="messages"/>
    /// that matches names the resource (<paramref name="prefix"/> + key), formatted with the pattern's
    /// groups. Unknown messages, and English readers, get the message as stored.
    /// </summary>
    internal static string Translate(IStringLocalizer localizer, string prefix, (Regex Pattern, string Key)[] messages, string message)
    {
        if (CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en")
        {
            return message;
        }

        foreach (var (pattern, key) in messages)
        {
            if (pattern.Match(message) is { Success: true } match)
            {
                var values = match.Groups.Values.Skip(1).Select(g => (object)g.Value).ToArray();
                var translated = localizer[prefix + key, values];
                return translated.ResourceNotFound ? message : translated.Value;
            }
        }

        return message;
    }

    [GeneratedRegex(@"^Virtual server #(\d+) created$", RegexOptions.CultureInvariant)]
    private static partial Regex ServerCreated();

    [GeneratedRegex(@"^Virtual server #(\d+) deleted$", RegexOptions.CultureInvariant)]
    private static partial Regex ServerDeleted();

    [GeneratedRegex(@"^Virtual server #(\d+) started$", RegexOptions.CultureInvariant)]
    private static partial Regex ServerStarted();

    [GeneratedRegex(@"^Virtual server #(\d+) stopped$", RegexOptions.CultureInvariant)]
    private static partial Regex ServerStopped();

    [GeneratedRegex(@"^Virtual server #(\d+) renamed from ""(.*)"" to ""(.*)""$", RegexOptions.CultureInvariant)]
    private static partial Regex ServerRenamed();

    [GeneratedRegex(@"^Stack ""(.*)"" created on virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex StackCreated();

    [GeneratedRegex(@"^Stack ""(.*)"" edited on virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex StackEdited();

    [GeneratedRegex(@"^Stack ""(.*)"" (up|down|restart|stop|start|pull) on virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex StackAction();

    [GeneratedRegex(@"^Stack ""(.*)"" deleted from virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex StackDeleted();

    [GeneratedRegex(@"^File ""(.*)"" uploaded to virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex FileUploaded();

    [GeneratedRegex(@"^File ""(.*)"" saved on virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex FileSaved();

    [GeneratedRegex(@"^File ""(.*)"" created on virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex FileCreated();

    [GeneratedRegex(@"^Folder ""(.*)"" created on virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex FolderCreated();

    [GeneratedRegex(@"^""(.*)"" renamed to ""(.*)"" on virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex FileRenamed();

    [GeneratedRegex(@"^""(.*)"" deleted from virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex FileDeleted();
    [GeneratedRegex(@"^Terminal opened on virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex TerminalOpened();

    [GeneratedRegex(@"^Limits of virtual server #(\d+) set \((.*)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex LimitsSet();

    [GeneratedRegex(@"^Server quota of user #(\d+) set to (\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex QuotaSet();

    [GeneratedRegex(@"^Domain name ""(.+)"" added to virtual server #(\d+) \(origin pulls on\)$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainAddedWithPulls();

    [GeneratedRegex(@"^Domain name ""(.+)"" added to virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainAdded();

    [GeneratedRegex(@"^Domain name ""(.+)"" of virtual server #(\d+) edited \((.*)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainEdited();

    [GeneratedRegex(@"^Domain name ""(.+)"" removed from virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainRemoved();

    [GeneratedRegex(@"^Domain name ""(.+)"" of virtual server #(\d+) checked: (\S+)$", RegexOptions.CultureInvariant)]
    private static partial Regex DomainChecked();

    [GeneratedRegex(@"^Port forward (\d+)→(\d+) added for virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ForwardAdded();

    [GeneratedRegex(@"^Port forward (\d+)→(\d+) updated for virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ForwardUpdated();

    [GeneratedRegex(@"^Port forward (\d+)→(\d+) deleted for virtual server #(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ForwardDeleted();

    [GeneratedRegex(@"^Port forward quota of user #(\d+) set to (\d+) per server$", RegexOptions.CultureInvariant)]
    private static partial Regex ForwardQuotaSet();

    [GeneratedRegex(@"^User (\S+) edited: (.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex UserEdited();

    [GeneratedRegex(@"^User (\S+) deleted$", RegexOptions.CultureInvariant)]
    private static partial Regex UserDeleted();

    [GeneratedRegex(@"^User (\S+) created \(disabled\)$", RegexOptions.CultureInvariant)]
    private static partial Regex UserCreatedDisabled();

    [GeneratedRegex(@"^User (\S+) created$", RegexOptions.CultureInvariant)]
    private static partial Regex UserCreated();

    [GeneratedRegex(@"^User (\S+) logged out$", RegexOptions.CultureInvariant)]
    private static partial Regex LoggedOut();

    [GeneratedRegex(@"^Password of (\S+) reset by an operator$", RegexOptions.CultureInvariant)]
    private static partial Regex PasswordReset();

    [GeneratedRegex(@"^Password changed$", RegexOptions.CultureInvariant)]
    private static partial Regex PasswordChanged();

    [GeneratedRegex(@"^User (\S+) logged in \(IP: (.*)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex LoggedIn();

    [GeneratedRegex(@"^Registration code generated$", RegexOptions.CultureInvariant)]
    private static partial Regex CodeGenerated();

    [GeneratedRegex(@"^Registration code revoked$", RegexOptions.CultureInvariant)]
    private static partial Regex CodeRevoked();

    [GeneratedRegex(@"^User (\S+) registered with a code \(IP: (.*)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex Registered();

    [GeneratedRegex(@"^API token ""(.+)"" created$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenCreated();

    [GeneratedRegex(@"^API token ""(.+)"" revoked$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenRevoked();

    /// <summary>What <c>ActivityLog</c> appends to a row written for a request signed in with an API token.</summary>
    [GeneratedRegex(@"^(.+) \(token (.+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex ViaToken();

    [GeneratedRegex(@"^SSH key ""(.*)"" added \((SHA256:[A-Za-z0-9+/]+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex SshKeyAdded();

    [GeneratedRegex(@"^SSH key ""(.*)"" deleted \((SHA256:[A-Za-z0-9+/]+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex SshKeyDeleted();
}
