using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Domains;

/// <summary>Another user's server, and its domains, answer exactly like ones that do not exist, on every route.</summary>
public sealed class CrossTenantDomainTests
{
    [Theory]
    [MemberData(nameof(Providers.Both), MemberType = typeof(Providers))]
    public async Task EveryRoute_OnAnotherUsersServer_AnswersExactlyLikeAMissingServer_AndChangesNothing(ProviderKind kind)
    {
        await using var host = await BerthTestHost.StartAsync(kind);
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        var (mallory, _) = await host.UserAsync(admin, "mallory@example.com");
        using var a = alice;
        using var m = mallory;
        var aliceServer = await host.InsertServerAsync(aliceId);
        var domainId = (await alice.AddDomainOkAsync(aliceServer, "alice.example.com")).GetProperty("id").GetInt64();
        var missingServer = aliceServer + 1000;
        var activityBefore = await host.ActivityMessagesAsync();

        foreach (var (method, template, body) in Routes())
        {
            var theirs = await SendAsync(mallory, method, template.Replace("{server}", $"{aliceServer}").Replace("{domain}", $"{domainId}"), body);
            var missing = await SendAsync(mallory, method, template.Replace("{server}", $"{missingServer}").Replace("{domain}", $"{domainId}"), body);
            var label = $"{method} {template}";
            Assert.True(theirs.Status == HttpStatusCode.NotFound, $"{label}: {theirs.Status} {theirs.Body}");
            Assert.Equal(missing.Status, theirs.Status);
            Assert.Equal(missing.Code, theirs.Code);
            Assert.Equal("SERVER_NOT_FOUND", theirs.Code);
            Assert.Equal(missing.Detail, theirs.Detail);
        }

        Assert.Equal(activityBefore, await host.ActivityMessagesAsync());
        Assert.Equal(["alice.example.com"], await host.DomainRowsAsync());
        var still = await (await alice.GetAsync($"/api/servers/{aliceServer}/domains/{domainId}")).JsonAsync();
        Assert.False(still.GetProperty("ssl").GetBoolean());
    }

    [Fact]
    public async Task ADomainOfAnotherServer_AnswersExactlyLikeAMissingDomain()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        var (mallory, malloryId) = await host.UserAsync(admin, "mallory@example.com");
        using var a = alice;
        using var m = mallory;
        var aliceServer = await host.InsertServerAsync(aliceId);
        var malloryServer = await host.InsertServerAsync(malloryId);
        var alicesDomain = (await alice.AddDomainOkAsync(aliceServer, "alice.example.com")).GetProperty("id").GetInt64();
        var missingDomain = alicesDomain + 1000;

        foreach (var (method, template, body) in Routes().Where(r => r.Template.Contains("{domain}", StringComparison.Ordinal)))
        {
            var theirs = await SendAsync(mallory, method, template.Replace("{server}", $"{malloryServer}").Replace("{domain}", $"{alicesDomain}"), body);
            var missing = await SendAsync(mallory, method, template.Replace("{server}", $"{malloryServer}").Replace("{domain}", $"{missingDomain}"), body);
            Assert.True(theirs.Status == HttpStatusCode.NotFound, $"{method} {template}: {theirs.Status} {theirs.Body}");
            Assert.Equal("DOMAIN_NOT_FOUND", theirs.Code);
            Assert.Equal((missing.Status, missing.Code, missing.Detail), (theirs.Status, theirs.Code, theirs.Detail));
        }

        // Even an admin reaches a domain only through its own server.
        var viaWrongServer = await admin.GetAsync($"/api/servers/{malloryServer}/domains/{alicesDomain}");
        await viaWrongServer.AssertProblemAsync(HttpStatusCode.NotFound, "DOMAIN_NOT_FOUND");
        Assert.Equal(["alice.example.com"], await host.DomainRowsAsync());
    }

    private static IEnumerable<(HttpMethod Method, string Template, object? Body)> Routes() =>
    [
        (HttpMethod.Get, "/api/servers/{server}/domains", null),
        (HttpMethod.Post, "/api/servers/{server}/domains", new { domainName = "steal.example.com", ssl = true }),
        (HttpMethod.Post, "/api/servers/{server}/domains", new { domainName = "steal.example.com", isCloudflare = false, originPulls = true }),
        (HttpMethod.Get, "/api/servers/{server}/domains/{domain}", null),
        (HttpMethod.Put, "/api/servers/{server}/domains/{domain}", new { domainName = "steal.example.com", ssl = true }),
        // A refused option (no origin pull CA on this platform) must not tell another user's server from a missing one.
        (HttpMethod.Put, "/api/servers/{server}/domains/{domain}", new { isCloudflare = true, originPulls = true }),
        (HttpMethod.Delete, "/api/servers/{server}/domains/{domain}", null),
        (HttpMethod.Post, "/api/servers/{server}/domains/{domain}/verify", null),
        (HttpMethod.Get, "/api/domains/validate?name=steal.example.com&serverId={server}", null),
    ];

    private static async Task<(HttpStatusCode Status, string? Code, string? Detail, string Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length == 0)
        {
            return (response.StatusCode, null, null, text);
        }

        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        return (response.StatusCode,
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var code) ? code.GetString() : null,
            root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail", out var detail) ? detail.GetString() : null,
            text);
    }
}
