using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Berth.Core.Data;
using Berth.Core.Servers;
using Berth.Server.Tests.Domains;
using Berth.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Berth.Server.Tests.Security;

/// <summary>
/// Every state-changing operation of the OpenAPI document (POST, PUT, PATCH, DELETE) that succeeds writes at
/// least one activity row, so that the activity log tells what happened; the few that need not are listed in
/// <see cref="Exempt"/> with the reason. Generated from the document like the security sweep, so an
/// operation is checked the day it lands. Each operation runs in a world of its own (a user, a server with
/// a file, a domain, a port forward if it names one), first with new names and, if that is refused, with names
/// that exist: creating and editing need the former, deleting or signing in the latter.
/// </summary>
public sealed class ActivitySweepTests(ITestOutputHelper output)
{
    private const string Password = "sweep-password-1";
    private const string ExistingFile = "/sweep.txt";

    /// <summary>Operations that may succeed without a row of their own, and why.</summary>
    private static readonly Dictionary<string, string> Exempt = new(StringComparer.Ordinal)
    {
        // A ticket only lets its holder open the terminal, once and within seconds; opening it writes
        // "Terminal opened on virtual server #N". A ticket never used changed nothing.
        ["POST /api/servers/{id}/terminal/tickets"] = "opening the terminal writes the row",
        ["POST /api/servers/{id}/stacks/validate"] = "a dry run: it reads the proposed files and changes nothing",
    };

    [Fact]
    public async Task EveryStateChangingOperation_ThatSucceeds_WritesAnActivityRow()
    {
        await using var host = await BerthTestHost.StartAsync();
        using var admin = await host.LoginAsync();
        using var anonymous = host.CreateApiClient();
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json"))!;
        var policies = ApiSecuritySweepTests.AccessOf(host);
        var operations = SweptOperation.All(document).Where(o => o.Method != HttpMethod.Get && o.Method != HttpMethod.Head).ToList();
        var failures = new List<string>();
        var checkedOperations = new List<string>();
        var notReached = new List<string>();
        var worlds = 0;

        foreach (var operation in operations)
        {
            if (Exempt.ContainsKey(operation.ToString()))
            {
                continue;
            }

            var access = policies.GetValueOrDefault((operation.Method.Method, operation.Path))
                ?? throw new InvalidOperationException($"{operation}: no endpoint found for this operation of the OpenAPI document");
            string? last = null;
            // New names first, so that an edit changes something (an edit to the same values need write no row).
            foreach (var existing in new[] { false, true })
            {
                var world = await WorldAsync(host, admin, ++worlds, operation.PathParameters.Contains("forwardId"));
                using var user = world.Client;
                var caller = access.AdminOnly ? admin : user;
                var names = Names(world, existing);
                var before = await ActivityCountAsync(host);
                using var response = await SendAsync(caller, operation.Method, world.Sweep.Fill(operation, query: names), operation.ValidBody(world.Sweep, names));
                if (!response.IsSuccessStatusCode)
                {
                    last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    continue;
                }

                last = null;
                checkedOperations.Add(operation.ToString());
                if (await ActivityCountAsync(host) <= before)
                {
                    failures.Add($"{operation}: answered {(int)response.StatusCode} ({(existing ? "existing" : "new")} names) and wrote no activity row");
                }

                break;
            }

            if (last is not null)
            {
                notReached.Add($"{operation}: {(last.Length > 160 ? last[..160] : last)}");
            }
        }

        output.WriteLine($"{operations.Count} state-changing operations: {checkedOperations.Count} succeeded and were checked, {Exempt.Count} exempt, {notReached.Count} refused the generated requests:");
        notReached.ForEach(output.WriteLine);
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        // The generated requests must reach most operations, or the check says little.
        Assert.True(checkedOperations.Count >= 20, $"only {checkedOperations.Count} operations succeeded: {string.Join(", ", checkedOperations)}");
    }

    /// <summary>The values a request is made of: names of things the world has, or new ones; numbers a request may hold.</summary>
    private static Dictionary<string, string?> Names(World world, bool existing)
    {
        var names = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["email"] = existing ? world.Email : "new-" + world.Email,
            ["password"] = Password,
            ["currentPassword"] = Password,
            ["newPassword"] = "sweep-password-2",
            ["path"] = existing ? ExistingFile : "/sweep-new",
            ["from"] = ExistingFile,
            ["to"] = "/sweep-moved.txt",
            ["domainName"] = existing ? world.Domain : "new-" + world.Domain,
            // A text saved without the version it was read at is a new file.
            ["version"] = null,
            ["protocol"] = "tcp",
            ["publicPort"] = null,
            ["internalPort"] = "8080",
            ["memoryMb"] = "512",
            ["pids"] = "100",
            ["maxServers"] = "5",
            ["maxForwardsPerServer"] = "5",
        };
        return names;
    }

    private sealed record World(SweepWorld Sweep, HttpClient Client, string Email, string Domain);

    /// <summary>A user of its own, signed in, with a server (a file in its /apps), a domain and, if asked, a port forward.</summary>
    private static async Task<World> WorldAsync(BerthTestHost host, HttpClient admin, int n, bool needsForward)
    {
        var email = $"activity-{n}@example.com";
        var userId = await admin.CreateUserAsync(email, Password);
        var client = await host.LoginAsync(email, Password);
        var server = await host.InsertServerAsync(userId);
        var apps = host.Services.GetRequiredService<ServerDirectories>();
        apps.Create(server);
        await File.WriteAllTextAsync(Path.Combine(apps.Apps(server), ExistingFile.TrimStart('/')), "sweep");
        var domain = $"activity-{n}.example.com";
        var domainId = (await client.AddDomainOkAsync(server, domain)).GetProperty("id").GetInt64();
        var forwardId = 0L;
        if (needsForward)
        {
            // Only when the operation names one: public ports come from a small pool (30 by default).
            using var forward = await client.PostAsJsonAsync($"/api/servers/{server}/forwards", new { internalPort = 80 });
            Assert.Equal(HttpStatusCode.Created, forward.StatusCode);
            forwardId = (await forward.JsonAsync()).GetProperty("id").GetInt64();
        }

        return new World(new SweepWorld(server, domainId, userId, forwardId), client, email, domain);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
    }

    private static async Task<int> ActivityCountAsync(BerthTestHost host)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<BerthDbContext>>().CreateDbContextAsync();
        return await db.RecentActivity.CountAsync();
    }
}
