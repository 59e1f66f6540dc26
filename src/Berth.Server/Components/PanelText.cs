namespace Berth.Server.Components;

/// <summary>The panel's strings: PanelText.resx (English) and PanelText.lt.resx (Lithuanian).</summary>
public sealed class PanelText
{
    public static readonly string[] Cultures = ["en", "lt"];
}
