using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Server.Tests.Infrastructure;

namespace Berth.Server.Tests.Accounts;

/// <summary>Bad input of any shape gets a 4xx problem with a code: never a 5xx, never a partial write.</summary>
public sealed class MalformedInputTests
{
    /// <summary>Every Accounts endpoint, and whether it reads a request body.</summary>
    private static readonly (HttpMethod Method, string Path, bool ReadsBody)[] Endpoints =
    [
        (HttpMethod.Post, "/api/auth/login", true), (HttpMethod.Post, "/api/auth/logout", false), (HttpMethod.Post, "/api/auth/register", true),
        (HttpMethod.Get, "/api/me", false), (HttpMethod.Post, "/api/me/password", true), (HttpMethod.Get, "/api/me/activity", false),
        (HttpMethod.Get, "/api/users", false), (HttpMethod.Post, "/api/users", true), (HttpMethod.Get, "/api/users/{id}", false),
        (HttpMethod.Patch, "/api/users/{id}", true), (HttpMethod.Delete, "/api/users/{id}", false),
        (HttpMethod.Get, "/api/registration-code", false), (HttpMethod.Post, "/api/registration-code", false), (HttpMethod.Delete, "/api/registration-code", false),
        (HttpMethod.Get, "/api/activity", false), (HttpMethod.Get, "/api/dashboard", false),
    ];

    private static readonly string[] Bodies =
    [
        "", "{", "}", "null", "[]", "123", "\"text\"", "true", "{\"email\":", "{,}", "{\"email\":\"a@b.c\",}",
        "{\"email\":123,\"password\":456}", "{\"email\":[],\"password\":{}}", "{\"email\":null,\"password\":null}",
        "{\"unknown\":1}", "{\"email\":\"a@example.com\",\"password\":\"long-enough\",\"admin\":true,\"extra\":[1]}",
        "{\"admin\":\"yes\"}", "{\"enabled\":2}", "{\"code\":{\"$ne\":null}}", "{\"email\":\"\\u0000\",\"password\":\"\\ud800\"}",
        "{\"email\":\"x@example.com\",\"password\":\"" + new string('a', 200_000) + "\"}",
        "{\"email\":\"" + new string('e', 100_000) + "@example.com\",\"password\":\"long-enough\"}",
        new string('[', 5_000) + new string(']', 5_000),
        "{\"a\":" + string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 201),
    ];

    [Fact]
    public async Task MalformedBodies_ToEveryEndpoint_Get4xxProblems_NeverA5xx()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var bobId = await admin.CreateUserAsync("bob@example.com", "bobs-password");
        using var anonymous = host.CreateApiClient();
        var random = new Random(20261125);
        var sent = 0;

        foreach (var (method, template, readsBody) in Endpoints)
        {
            var path = template.Replace("{id}", bobId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            // Logging out ends the session it is sent with, so it gets a session of its own.
            using var client = path == "/api/auth/logout" ? await host.LoginAsync() : null;
            var caller = client ?? admin;
            // A server may answer a request it does not read before the client has sent a large
            // body, and then close the connection: large bodies go only where bodies are read.
            var bodies = Bodies.Concat(Enumerable.Range(0, 8).Select(_ => Mutate(random))).Where(b => readsBody || b.Length < 16 * 1024);
            foreach (var body in bodies)
            {
                foreach (var contentType in new[] { "application/json", "text/plain" })
                {
                    await AssertNo5xxAsync(caller, method, path, body, contentType);
                    sent++;
                }
            }

            await AssertNo5xxAsync(anonymous, method, path, "{\"email\":1}", "application/json");
            if (readsBody)
            {
                await AssertNo5xxAsync(caller, method, path, new string('x', 2 * 1024 * 1024), "application/json");
            }

            using var invalidUtf8 = new HttpRequestMessage(method, path) { Content = new ByteArrayContent([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) };
            invalidUtf8.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            await AssertProblemIfErrorAsync(await caller.SendAsync(invalidUtf8), $"{method} {path} invalid UTF-8");
        }

        foreach (var query in new[] { "page=abc", "pageSize=99999999999", "userId=x", "page=0", "pageSize=-5", "page=2147483647&pageSize=200" })
        {
            await AssertProblemIfErrorAsync(await admin.GetAsync($"/api/activity?{query}"), query);
            await AssertProblemIfErrorAsync(await admin.GetAsync($"/api/me/activity?{query}"), query);
        }

        foreach (var id in new[] { "abc", "99999999999999999999", "-1", "0", "1.5" })
        {
            await AssertProblemIfErrorAsync(await admin.GetAsync($"/api/users/{id}"), id);
        }

        Assert.True(sent > 500);
        // Whatever was thrown at it, the admin's session and the users are intact.
        var me = await (await admin.GetAsync("/api/me")).JsonAsync();
        Assert.Equal("admin@admin.com", me.GetProperty("email").GetString());
        // Random bodies may be valid by chance (the DELETE ignores its body and removes bob), but
        // whatever got stored obeys the rules: normalised emails, bcrypt hashes.
        await using var db = host.Database.CreateContext();
        Assert.All(db.Users, u =>
        {
            Assert.Equal(u.Email.Trim().ToLowerInvariant(), u.Email);
            Assert.StartsWith("$2", u.Password, StringComparison.Ordinal);
        });
        Assert.Contains(db.Users, u => u.Email == "admin@admin.com" && u.Admin == true && u.Enabled);
    }

    [Fact]
    public async Task TypicalMistakes_GetTheirOwnCodes()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();

        await (await Send(admin, HttpMethod.Post, "/api/users", "{\"email\":\"a@example.com\",\"password\":\"long-enough\",\"role\":\"root\"}"))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_JSON");
        await (await Send(admin, HttpMethod.Post, "/api/users", "{\"email\":\"a@example.com\",\"password\":12345678}"))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "INVALID_JSON");
        await (await Send(admin, HttpMethod.Post, "/api/users", "{\"email\":\"a@example.com\"}"))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "MISSING_FIELD");
        await (await Send(admin, HttpMethod.Post, "/api/users", "{\"email\":\"a@example.com\",\"password\":\"long-enough\"}", "text/plain"))
            .AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await (await Send(admin, HttpMethod.Post, "/api/users", new string(' ', 2 * 1024 * 1024)))
            .AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "BODY_TOO_LARGE");
        await (await Send(admin, HttpMethod.Post, "/api/auth/login", ""))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "BAD_REQUEST");

        await using var db = host.Database.CreateContext();
        Assert.Single(db.Users);
    }

    private static async Task AssertNo5xxAsync(HttpClient client, HttpMethod method, string path, string body, string contentType)
    {
        var what = $"{method} {path} [{contentType}] {Shorten(body)}";
        HttpResponseMessage response;
        try
        {
            response = await Send(client, method, path, body, contentType);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException(what, e);
        }

        using (response)
        {
            await AssertProblemIfErrorAsync(response, what);
        }
    }

    private static async Task AssertProblemIfErrorAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status < 500, $"{what} -> {status}: {Shorten(text)}");
        if (status >= 400)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(text);
            Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("code").GetString()), what);
        }
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        // Large bodies wait for "100 Continue", as real clients do: the server may answer (413, or
        // without reading the body at all) before the client has written it all.
        request.Headers.ExpectContinue = body.Length > 64 * 1024;
        return await client.SendAsync(request);
    }

    /// <summary>A random JSON-ish document: valid shapes with wrong types, or valid JSON cut at a random point.</summary>
    private static string Mutate(Random random)
    {
        string[] keys = ["email", "password", "code", "currentPassword", "newPassword", "admin", "enabled", "Email", "", "__proto__"];
        string[] values = ["null", "true", "0", "-1", "1e309", "\"\"", "\"a@example.com\"", "\"long-enough-password\"", "[]", "{}", "\"\\u0000\"", "18446744073709551616"];
        var fields = Enumerable.Range(0, random.Next(0, 5)).Select(_ => $"\"{keys[random.Next(keys.Length)]}\":{values[random.Next(values.Length)]}");
        var json = "{" + string.Join(",", fields) + "}";
        return random.Next(3) == 0 ? json[..random.Next(json.Length + 1)] : json;
    }

    private static string Shorten(string text) => text.Length > 120 ? text[..120] + "…" : text;
}
