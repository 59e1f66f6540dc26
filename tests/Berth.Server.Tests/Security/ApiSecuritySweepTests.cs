using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Core.Data;
using Berth.Core.Servers;
using Berth.Server.Tests.Domains;
using Berth.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Berth.Server.Tests.Security;

/// <summary>
/// The API's security rules, checked on every operation of the OpenAPI document rather than route by
/// route, so a route is swept from the day it lands: anonymous callers, another user's resources, normal
/// users on admin operations, state changes without the CSRF header (even beside a bearer header) or
/// with a read-only API token, and request bodies generated from
/// the schema and then broken. An operation the sweep cannot fill in (a path parameter it does not know)
/// fails the test: it must be taught, never skipped.
/// </summary>
public sealed class ApiSecuritySweepTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EveryOperation_RefusesWhatItMust_AndNoBrokenBodyGetsA5xxOrWrites()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        var (alice, aliceId) = await host.UserAsync(admin, "alice@example.com");
        var (bob, _) = await host.UserAsync(admin, "bob@example.com");
        using var a = alice;
        using var b = bob;
        var server = await host.InsertServerAsync(aliceId);
        var domain = (await alice.AddDomainOkAsync(server, "alice.example.com")).GetProperty("id").GetInt64();
        var forwardAnswer = await alice.PostAsJsonAsync($"/api/servers/{server}/forwards", new { internalPort = 80 });
        Assert.Equal(HttpStatusCode.Created, forwardAnswer.StatusCode);
        var forward = (await forwardAnswer.JsonAsync()).GetProperty("id").GetInt64();
        var tokenAnswer = await alice.PostAsJsonAsync("/api/me/tokens", new { name = "sweep", scopes = ScopeList("read") });
        Assert.Equal(HttpStatusCode.Created, tokenAnswer.StatusCode);
        var readToken = await tokenAnswer.JsonAsync();
        using var reader = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
        reader.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", readToken.GetProperty("token").GetString());
        // A stack in the server's folder, as a tenant would have left it (the server itself does not run).
        var stack = Path.Combine(host.Services.GetRequiredService<ServerDirectories>().Apps(server), "stacks", "sweep");
        Directory.CreateDirectory(stack);
        await File.WriteAllTextAsync(Path.Combine(stack, "compose.yaml"), "services:\n  web:\n    image: busybox\n");
        var keyAnswer = await alice.PostAsJsonAsync("/api/me/ssh-keys", new { name = "sweep", publicKey = SweepKey });
        Assert.Equal(HttpStatusCode.Created, keyAnswer.StatusCode);
        var sshKey = (await keyAnswer.JsonAsync()).GetProperty("id").GetInt64();
        var world = new SweepWorld(server, domain, aliceId, forward, readToken.GetProperty("id").GetInt64(), sshKey);
        using var anonymous = host.CreateApiClient();
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!;
        var policies = AccessOf(host);
        var operations = SweptOperation.All(document).ToList();
        var failures = new List<string>();

        foreach (var operation in operations)
        {
            var access = policies.GetValueOrDefault((operation.Method.Method, operation.Path))
                ?? throw new InvalidOperationException($"{operation}: no endpoint found for this operation of the OpenAPI document");
            var path = world.Fill(operation);
            var check = new Checker(operation, failures);

            // (a) Anonymous: 401, unless the operation is public.
            var anonymousAnswer = await SendAsync(anonymous, operation.Method, path, operation.ValidBody(world));
            check.NoServerError("anonymous", anonymousAnswer);
            if (!access.Anonymous)
            {
                check.Status("anonymous", anonymousAnswer, HttpStatusCode.Unauthorized);
            }

            // (b) Another user on the first user's server: exactly what a missing server answers.
            if (operation.Path.StartsWith("/api/servers/{id}", StringComparison.Ordinal) && !access.AdminOnly)
            {
                var theirs = await SendAsync(bob, operation.Method, path, operation.ValidBody(world));
                var missing = await SendAsync(bob, operation.Method, world.Fill(operation, serverId: server + 1000), operation.ValidBody(world));
                check.Status("another user", theirs, HttpStatusCode.NotFound);
                check.Same("another user vs a missing server", theirs, missing, server);
            }

            // (b2) Another user's SSH key: exactly what a missing key answers.
            if (operation.PathParameters.Contains("keyId"))
            {
                var theirs = await SendAsync(bob, operation.Method, path, operation.ValidBody(world));
                var missing = await SendAsync(bob, operation.Method, (world with { SshKeyId = sshKey + 1000 }).Fill(operation), operation.ValidBody(world));
                check.Status("another user's key", theirs, HttpStatusCode.NotFound);
                check.Same("another user's key vs a missing key", theirs, missing, sshKey);
            }

            // (c) A normal user on an admin operation: 403.
            if (access.AdminOnly)
            {
                check.Status("a normal user", await SendAsync(alice, operation.Method, path, operation.ValidBody(world)), HttpStatusCode.Forbidden);
            }

            var caller = access.AdminOnly ? admin : alice;

            // (d) A state change with the session cookie but without the CSRF header: 403.
            if (operation.Method != HttpMethod.Get && !access.Anonymous)
            {
                using var noCsrf = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
                noCsrf.DefaultRequestHeaders.Add("Cookie", $"berth_session={host.SessionTokenOf(caller)}");
                var answer = await SendAsync(noCsrf, operation.Method, path, operation.ValidBody(world));
                check.Status("no CSRF header", answer, HttpStatusCode.Forbidden);
                check.Code("no CSRF header", answer, "CSRF_REQUIRED");

                // A bearer header beside the cookie does not lift the CSRF rule: a bogus one...
                using var bogusBearer = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
                bogusBearer.DefaultRequestHeaders.Add("Cookie", $"berth_session={host.SessionTokenOf(caller)}");
                bogusBearer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "berth_" + new string('x', 43));
                answer = await SendAsync(bogusBearer, operation.Method, path, operation.ValidBody(world));
                check.Status("cookie and a bogus bearer, no CSRF header", answer, HttpStatusCode.Forbidden);
                check.Code("cookie and a bogus bearer, no CSRF header", answer, "CSRF_REQUIRED");

                // ...and a read-only token changes nothing anywhere.
                answer = await SendAsync(reader, operation.Method, path, operation.ValidBody(world));
                check.Status("a read-only API token", answer, HttpStatusCode.Forbidden);
            }

            // (e) Broken bodies: a 4xx with a machine code for what is surely wrong, never a 5xx, never a write.
            foreach (var (label, body, strict) in operation.BrokenBodies(world))
            {
                var before = await SnapshotAsync(host);
                var answer = await SendAsync(caller, operation.Method, path, body);
                check.NoServerError(label, answer);
                if (strict)
                {
                    check.ClientError(label, answer);
                }

                if ((int)answer.Status is >= 400 and < 500)
                {
                    check.Code(label, answer, expected: null);
                    check.Unchanged(label, before, await SnapshotAsync(host));
                }
            }
        }

        output.WriteLine($"swept {operations.Count} operations of the OpenAPI document");
        Assert.True(operations.Count >= 38, $"only {operations.Count} operations found in the OpenAPI document");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static string[] ScopeList(params string[] scopes) => scopes;

    /// <summary>An ed25519 public key (any 32 bytes make one as far as the API is concerned).</summary>
    private const string SweepKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g sweep";

    /// <summary>Who may call each endpoint, from its own metadata: public, or for admins only.</summary>
    internal static Dictionary<(string Method, string Path), Access> AccessOf(BerthTestHost host)
    {
        var access = new Dictionary<(string, string), Access>();
        foreach (var endpoint in host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            var path = "/" + System.Text.RegularExpressions.Regex.Replace(endpoint.RoutePattern.RawText?.Trim('/') ?? "", "{([^:}]+)(:[^}]*)?}", "{$1}");
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var adminOnly = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Berth.Server.Authentication.AuthenticationFeature.AdminPolicy);
            foreach (var method in methods)
            {
                access[(method, path)] = new Access(anonymous, adminOnly);
            }
        }

        return access;
    }

    internal sealed record Access(bool Anonymous, bool AdminOnly);

    private sealed record Answer(HttpStatusCode Status, string Body)
    {
        public string? Code => TryJson()?["code"]?.GetValue<string>();

        public string? Detail => TryJson()?["detail"]?.GetValue<string>();

        private JsonNode? TryJson()
        {
            try
            {
                return JsonNode.Parse(Body);
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    private static async Task<Answer> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        // A body refused before it is read (too large) is answered at once rather than cut off mid-write.
        request.Headers.ExpectContinue = body is not null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Streams (server-sent events, WebSockets) answer with headers and then stay open: read the head only.
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var streaming = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
        var text = streaming ? "" : await response.Content.ReadAsStringAsync(timeout.Token);
        return new Answer(response.StatusCode, text);
    }

    /// <summary>Row counts of every table a write would touch.</summary>
    private static async Task<string> SnapshotAsync(BerthTestHost host)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContextAsync();
        return string.Join(',',
            await db.Users.CountAsync(), await db.VirtualServers.CountAsync(), await db.DomainNames.CountAsync(), await db.DomainOptions.CountAsync(),
            await db.RecentActivity.CountAsync(), await db.Settings.CountAsync(), await db.ApiTokens.CountAsync(), await db.ServerSettings.CountAsync(), await db.UserQuotas.CountAsync(),
            await db.SshKeys.CountAsync(),
            string.Join('|', await db.Users.OrderBy(u => u.Id).Select(u => u.Email + u.Password + u.Admin + u.Enabled).ToListAsync()),
            string.Join('|', await db.VirtualServers.OrderBy(s => s.Id).Select(s => s.Name).ToListAsync()),
            string.Join('|', await db.DomainNames.OrderBy(d => d.Id).Select(d => d.Name + d.Ssl + d.IsCloudflare).ToListAsync()));
    }

    private sealed class Checker(SweptOperation operation, List<string> failures)
    {
        public void NoServerError(string label, Answer answer)
        {
            if ((int)answer.Status >= 500)
            {
                failures.Add($"{operation} [{label}]: {(int)answer.Status} {Short(answer.Body)}");
            }
        }

        public void Status(string label, Answer answer, HttpStatusCode expected)
        {
            if (answer.Status != expected)
            {
                failures.Add($"{operation} [{label}]: {(int)answer.Status}, expected {(int)expected} {Short(answer.Body)}");
            }
        }

        public void ClientError(string label, Answer answer)
        {
            if ((int)answer.Status is < 400 or >= 500)
            {
                failures.Add($"{operation} [{label}]: {(int)answer.Status}, expected a 4xx {Short(answer.Body)}");
            }
        }

        public void Code(string label, Answer answer, string? expected)
        {
            if (string.IsNullOrEmpty(answer.Code) || (expected is not null && answer.Code != expected))
            {
                failures.Add($"{operation} [{label}]: {(int)answer.Status} without the code {expected ?? "(any)"}: {Short(answer.Body)}");
            }
        }

        public void Same(string label, Answer theirs, Answer missing, long serverId)
        {
            if (theirs.Status != missing.Status || theirs.Code != missing.Code || theirs.Detail?.Replace($"{serverId}", "N", StringComparison.Ordinal) != missing.Detail?.Replace($"{serverId + 1000}", "N", StringComparison.Ordinal))
            {
                failures.Add($"{operation} [{label}]: {(int)theirs.Status} {Short(theirs.Body)} vs {(int)missing.Status} {Short(missing.Body)}");
            }
        }

        public void Unchanged(string label, string before, string after)
        {
            if (before != after)
            {
                failures.Add($"{operation} [{label}]: refused, yet the database changed ({before} -> {after})");
            }
        }

        private static string Short(string text) => text.Length > 200 ? text[..200] + "…" : text;
    }
}
