namespace Berth.Server.Components.Panel;

/// <summary>
/// What the panel knows about the browser behind one live connection: its address, taken from
/// the page request (a live connection has no HttpContext of its own).
/// </summary>
public sealed class PanelCircuit
{
    public string ClientAddress { get; set; } = System.Net.IPAddress.None.ToString();
}
