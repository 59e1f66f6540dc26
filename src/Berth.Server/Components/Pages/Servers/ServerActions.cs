using Berth.Core.Servers;
using Microsoft.Extensions.Localization;
using MudBlazor;

namespace Berth.Server.Components.Pages.Servers;

/// <summary>The dialogs in front of server actions, shared by the list and the server page.</summary>
internal static class ServerActions
{
    public static async Task<string?> AskNameAsync(IDialogService dialogs, IStringLocalizer<PanelText> l, string title, string submit, string initial = "")
    {
        var dialog = await dialogs.ShowAsync<ServerNameDialog>(title, new DialogParameters<ServerNameDialog>
        {
            { d => d.Initial, initial },
            { d => d.SubmitLabel, submit },
        }, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        return result is { Canceled: false, Data: string name } ? name : null;
    }

    public static async Task<bool> ConfirmDeleteAsync(IDialogService dialogs, IStringLocalizer<PanelText> l, ServerView server)
    {
        var dialog = await dialogs.ShowAsync<ConfirmByTypingDialog>(l["Servers.DeleteTitle"], new DialogParameters<ConfirmByTypingDialog>
        {
            { d => d.Expected, server.Name },
            { d => d.Message, l["Servers.DeleteMessage", server.Name].Value },
            { d => d.ConfirmLabel, l["Servers.Delete"].Value },
        }, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        return result is { Canceled: false };
    }

    /// <summary>Creating, or stopping and starting, takes a while: the list polls quickly until it settles.</summary>
    public static bool InProgress(ServerView server) =>
        server.State is "creating" or "restarting" or "removing" || (server.Enabled && server.State is "created" or "missing");
}
