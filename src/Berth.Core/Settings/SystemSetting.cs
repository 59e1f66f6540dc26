namespace Berth.Core.Settings;

/// <summary>A key/value row of Berth's own <c>System_Settings</c> table.</summary>
public sealed class SystemSetting
{
    public string Key { get; set; } = "";

    public string Value { get; set; } = "";

    public string UpdatedAt { get; set; } = "";
}
