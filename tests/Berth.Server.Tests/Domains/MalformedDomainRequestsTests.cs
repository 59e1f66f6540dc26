using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Domains;

/// <summary>Bad bodies and ids on the domain routes get a 4xx problem with a code: never a 5xx, never a write.</summary>
public sealed class MalformedDomainRequestsTests
{
    private static readonly string[] Bodies =
    [
        "", "{", "}", "null", "[]", "123", "\"text\"", "true", "{,}", "{\"domainName\":", "{\"domainName\":123}",
        "{\"domainName\":[]}", "{\"domainName\":null}", "{\"domainName\":\"ok.example.com\",\"ssl\":\"yes\"}",
        "{\"domainName\":\"ok.example.com\",\"isCloudflare\":2}", "{\"domainName\":\"ok.example.com\",\"extra\":1}",
        "{\"domainName\":\"\\u0000bad.example.com\"}", "{\"domainName\":\"\\ud800.example.com\"}",
        "{\"domainName\":\"" + new string('a', 100_000) + ".com\"}",
        new string('[', 5_000) + new string(']', 5_000),
    ];

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("\"true\"")]
    public async Task TheFlags_AreJsonBooleans_AsTheDocsSay_NotTheSeedsZeroAndOne(string ssl)
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var serverId = await host.InsertServerAsync(await admin.MyIdAsync());

        using var response = await admin.PostAsync($"/api/servers/{serverId}/domains",
            new StringContent($"{{\"domainName\":\"flags.example.com\",\"ssl\":{ssl}}}", Encoding.UTF8, "application/json"));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        var problem = await response.JsonAsync();
        Assert.Equal("INVALID_JSON", problem.GetProperty("code").GetString());
        Assert.Contains("$.ssl", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await host.DomainRowsAsync());
    }

    [Fact]
    public async Task MalformedBodies_ToAddAndEdit_Get400Problems_NeverA5xx_NorAWrite()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var serverId = await host.InsertServerAsync(await admin.MyIdAsync());
        var domainId = (await admin.AddDomainOkAsync(serverId, "keep.example.com")).GetProperty("id").GetInt64();

        foreach (var (method, path) in new[] { (HttpMethod.Post, $"/api/servers/{serverId}/domains"), (HttpMethod.Put, $"/api/servers/{serverId}/domains/{domainId}") })
        {
            foreach (var body in Bodies)
            {
                foreach (var contentType in new[] { "application/json", "text/plain" })
                {
                    using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
                    using var response = await admin.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    var code = (int)response.StatusCode;
                    Assert.True(code is >= 400 and < 500 || (method == HttpMethod.Put && code == 200 && contentType == "application/json"), $"{method} {body[..Math.Min(body.Length, 60)]} ({contentType}): {code} {text}");
                    if (code >= 400)
                    {
                        using var document = JsonDocument.Parse(text);
                        Assert.False(string.IsNullOrEmpty(document.RootElement.GetProperty("code").GetString()));
                    }
                }
            }
        }

        foreach (var id in new[] { "abc", "99999999999999999999", "1.5" })
        {
            var response = await admin.GetAsync($"/api/servers/{id}/domains");
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{id}: {response.StatusCode}");
            var domainResponse = await admin.DeleteAsync($"/api/servers/{serverId}/domains/{id}");
            Assert.True((int)domainResponse.StatusCode is >= 400 and < 500, $"{id}: {domainResponse.StatusCode}");
        }

        Assert.Equal(["keep.example.com"], await host.DomainRowsAsync());
    }

    [Fact]
    public async Task AddingWithoutAName_NamesTheMissingField()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var serverId = await host.InsertServerAsync(await admin.MyIdAsync());
        using var content = new StringContent("{\"ssl\":true}", Encoding.UTF8, "application/json");
        await (await admin.PostAsync($"/api/servers/{serverId}/domains", content)).AssertProblemAsync(HttpStatusCode.BadRequest, "MISSING_FIELD");
    }
}
