using System.Net;
using System.Net.Http.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Domains;

/// <summary>The dry run says whether a name may be added, with a code and a message, and writes nothing.</summary>
public sealed class ValidatingDomainNamesTests
{
    [Fact]
    public async Task Validate_AnswersValidOrACode_ForEveryKindOfName()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        using var _ = alice;
        var serverId = await host.InsertServerAsync(aliceId);
        await alice.AddDomainOkAsync(serverId, "taken.example.com");
        var before = await host.ActivityMessagesAsync();

        // The reason names the rule, so the panel can say it in any language (the code alone lost it).
        (string? Name, bool Valid, string? Code, string? Reason)[] table =
        [
            ("example.com", true, null, null),
            ("  Example.COM ", true, null, null),
            ("myapp.apps.localhost", true, null, null),
            ("apps.localhost", false, "DOMAIN_RESERVED", "reserved"),
            ("taken.example.com", false, "DOMAIN_TAKEN", null),
            ("TAKEN.example.com", false, "DOMAIN_TAKEN", null),
            ("", false, "INVALID_DOMAIN_NAME", "required"),
            (null, false, "INVALID_DOMAIN_NAME", "required"),
            ("a.bc", false, "INVALID_DOMAIN_NAME", "length"),
            (new string('a', 36) + ".com", false, "INVALID_DOMAIN_NAME", "length"),
            ("example..com", false, "INVALID_DOMAIN_NAME", "double-dot"),
            ("1example.com", false, "INVALID_DOMAIN_NAME", "ends"),
            ("example.com-", false, "INVALID_DOMAIN_NAME", "ends"),
            ("app-.example.com", false, "INVALID_DOMAIN_NAME", "label-hyphen"),
            ("http://app.example.com", false, "INVALID_DOMAIN_NAME", "scheme"),
            ("examplecom", false, "INVALID_DOMAIN_NAME", "dot"),
            ("a.b.apps.localhost", false, "INVALID_DOMAIN_NAME", "apps-one-label"),
            ("127.0.0.1", false, "INVALID_DOMAIN_NAME", "ends"),
            ("šviesa.lt", false, "INVALID_DOMAIN_NAME", "characters"),
            ("exa mple.com", false, "INVALID_DOMAIN_NAME", "characters"),
        ];

        foreach (var (name, valid, code, reason) in table)
        {
            var query = name is null ? "" : $"name={Uri.EscapeDataString(name)}";
            var response = await alice.GetAsync($"/api/domains/validate?{query}");
            await response.AssertStatusAsync(HttpStatusCode.OK);
            var body = await response.JsonAsync();
            Assert.True(valid == body.GetProperty("valid").GetBoolean(), $"{name}: {body}");
            Assert.Equal(code, body.GetProperty("code").GetString());
            Assert.True(reason == body.GetProperty("reason").GetString(), $"{name}: {body}");
            Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        }

        var withServer = await (await alice.GetAsync($"/api/domains/validate?name=new.example.com&serverId={serverId}")).JsonAsync();
        Assert.True(withServer.GetProperty("valid").GetBoolean());
        Assert.Equal(before, await host.ActivityMessagesAsync());
        Assert.Equal(["taken.example.com"], await host.DomainRowsAsync());
    }

    [Fact]
    public async Task Validate_NeedsASignedInUser_AndAVisibleServer_AndAWellFormedServerId()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var (alice, _) = await host.UserAsync(admin, "alice@example.com");
        using var _a = alice;
        var adminsServer = await host.InsertServerAsync(await admin.MyIdAsync());

        using var anonymous = host.CreateApiClient();
        await (await anonymous.GetAsync("/api/domains/validate?name=example.com")).AssertProblemAsync(HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
        await (await alice.GetAsync($"/api/domains/validate?name=example.com&serverId={adminsServer}")).AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
        await (await alice.GetAsync("/api/domains/validate?name=example.com&serverId=0")).AssertProblemAsync(HttpStatusCode.NotFound, "SERVER_NOT_FOUND");
        var bad = await alice.GetAsync("/api/domains/validate?name=example.com&serverId=abc");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.False(string.IsNullOrEmpty((await bad.JsonAsync()).GetProperty("code").GetString()));
    }

    [Fact]
    public async Task AddingAnInvalidOrReservedName_IsRefused_WithTheSameCodeAsTheDryRun()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var serverId = await host.InsertServerAsync(await admin.MyIdAsync());

        await (await admin.AddDomainAsync(serverId, "example..com")).AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_DOMAIN_NAME");
        await (await admin.AddDomainAsync(serverId, "apps.localhost")).AssertProblemAsync(HttpStatusCode.BadRequest, "DOMAIN_RESERVED");
        await (await admin.AddDomainAsync(serverId, "10.0.0.1")).AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_DOMAIN_NAME");
        var domainId = (await admin.AddDomainOkAsync(serverId, "ok.example.com")).GetProperty("id").GetInt64();
        var edit = await admin.PutAsJsonAsync($"/api/servers/{serverId}/domains/{domainId}", new { domainName = "Bad_.example.co1" });
        await edit.AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_DOMAIN_NAME");
        Assert.Equal(["ok.example.com"], await host.DomainRowsAsync());
    }
}
