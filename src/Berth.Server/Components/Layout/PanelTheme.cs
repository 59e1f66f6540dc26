using MudBlazor;

namespace Berth.Server.Components.Layout;

/// <summary>The panel's colours: one theme for every page, signed in or not.</summary>
internal static class PanelTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5f8b",
            Secondary = "#2e7d6b",
            AppbarBackground = "#163f5c",
            Background = "#f5f7fa",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "DejaVu Sans", "sans-serif"] },
        },
    };
}
