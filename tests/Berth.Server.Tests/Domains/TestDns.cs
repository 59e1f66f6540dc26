using System.Net;
using System.Net.Http.Json;
using Berth.Server.Hosting;

namespace Berth.Server.Tests.Domains;

/// <summary>
/// The run's DNS server (pebble-challtestsrv, started by scripts/services/pebble.sh): TXT records set through
/// its management API are what Berth's domain verification finds.
/// </summary>
internal static class TestDns
{
    public static IPEndPoint Server => IPEndPoint.Parse(RequiredService.Get("BERTH_TEST_DNS_SERVER", "pebble-challtestsrv's DNS listener"));

    private static Uri Management => new(RequiredService.Get("BERTH_TEST_ACME_DNS_MANAGEMENT", "pebble-challtestsrv's management API"));

    /// <summary>Berth with domain verification on, asking the run's DNS server, under fixed platform names.</summary>
    public static ServeSettings VerifyingDomains(ServeSettings settings) => settings with
    {
        Edge = settings.Edge with { DomainVerification = true, DnsResolver = Server, AppsDomain = "apps.berth.test", ControlHost = "panel.berth.test" },
    };

    public static async Task SetTxtAsync(string name, string value)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(new Uri(Management, "/set-txt"), new { host = name + ".", value });
        response.EnsureSuccessStatusCode();
    }

    public static async Task ClearTxtAsync(string name)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(new Uri(Management, "/clear-txt"), new { host = name + "." });
        response.EnsureSuccessStatusCode();
    }
}
