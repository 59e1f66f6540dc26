namespace Berth.Server.Components.Pages.Servers;

/// <summary>A tab of the server page: its key (in the address, <c>?tab=</c>), its title's resource and its component (null: the page's own overview).</summary>
internal sealed record ServerTab(string Key, string TitleKey, Type? Component);

/// <summary>
/// The server page's tabs, in order. A tab's component receives <c>ServerId</c> (long) and
/// <c>Running</c> (bool); adding a tab is adding one line here.
/// </summary>
internal static class ServerTabs
{
    public static readonly IReadOnlyList<ServerTab> All =
    [
        new("overview", "ServerTabs.Overview", null),
        new("terminal", "ServerTabs.Terminal", typeof(TerminalTab)),
        new("files", "ServerTabs.Files", typeof(Files.FilesTab)),
        new("stacks", "ServerTabs.Stacks", typeof(Stacks.StacksTab)),
        new("forwards", "ServerTabs.Forwards", typeof(Forwards.ForwardsSection)),
    ];
}
