namespace Berth.Server.Hosting;

/// <summary>Settings of <c>berth serve</c> on top of the shared ones.</summary>
public sealed record ServeSettings(BerthSettings Common, string Urls, string? AdminPassword)
{
    public const string DefaultUrls = "http://127.0.0.1:8080";
}
