namespace Berth.Server.Components.Panel;

/// <summary>The connection's session has ended; the panel is on its way to the sign-in page.</summary>
public sealed class PanelSessionEndedException() : Exception("The session has ended.");
