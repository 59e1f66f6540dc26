using Berth.Core.Errors;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using MudBlazor;

namespace Berth.Server.Components.Panel;

/// <summary>What every interactive page of the panel uses: its strings, its data, and one way to report a refusal.</summary>
public abstract class PanelComponentBase : ComponentBase
{
    [Inject]
    protected IStringLocalizer<PanelText> L { get; set; } = null!;

    [Inject]
    protected PanelData Data { get; set; } = null!;

    [Inject]
    protected ISnackbar Snackbar { get; set; } = null!;

    [Inject]
    protected NavigationManager Navigation { get; set; } = null!;

    /// <summary>Runs an action; a refusal becomes a message on screen and <c>false</c>.</summary>
    protected async Task<bool> TryAsync(Func<Task> action, string? success = null)
    {
        try
        {
            await action();
            if (success is not null)
            {
                Snackbar.Add(success, Severity.Success);
            }

            return true;
        }
        catch (BerthException e)
        {
            Snackbar.Add(PanelErrors.Text(L, e), Severity.Error);
            return false;
        }
        catch (PanelSessionEndedException)
        {
            return false;
        }
    }

    /// <summary>Loads data; a refusal becomes the page's error text (returned), nothing thrown.</summary>
    protected async Task<string?> LoadAsync(Func<Task> load)
    {
        try
        {
            await load();
            return null;
        }
        catch (BerthException e)
        {
            return PanelErrors.Text(L, e);
        }
        catch (PanelSessionEndedException)
        {
            return L["Error.SessionEnded"];
        }
    }
}
