using System.Net;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Berth.Core.Servers;
using Berth.Server.Tests.Infrastructure;
using Berth.Server.Tests.Servers;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Server.Tests.Stacks;

/// <summary>One running server of Alice's with the busybox image loaded into its engine (no registry), shared by a class's stack tests.</summary>
public sealed class StacksFixture : IAsyncLifetime, ICreatesServers
{
    public ServersFixture Servers { get; } = new();

    public long ServerId { get; private set; }

    public string Busybox { get; private set; } = "";

    public HttpClient Alice => Servers.Alice;

    public ServerDirectories Directories => Servers.Host.Services.GetRequiredService<ServerDirectories>();

    public async Task InitializeAsync()
    {
        await Servers.InitializeAsync();
        ServerId = await ServersFixture.CreateRunningServerAsync(Servers.Alice, "stacks");
        using var inner = await Servers.InnerEngineAsync(ServerId);
        Busybox = await ServersFixture.CopyBusyboxAsync(inner);
    }

    public Task DisposeAsync() => Servers.DisposeAsync();

    public string StackFolder(string name) => Path.Combine(Directories.Apps(ServerId), "stacks", name);

    public async Task CreateStackAsync(string name, string compose)
    {
        var response = await Alice.PostAsJsonAsync($"/api/servers/{ServerId}/stacks", new { name, compose });
        await response.AssertStatusAsync(HttpStatusCode.Created);
    }

    /// <summary>Starts an action and returns its operation id.</summary>
    public async Task<string> StartAsync(string name, string action)
    {
        var response = await Alice.PostAsync($"/api/servers/{ServerId}/stacks/{name}/actions/{action}", null);
        await response.AssertStatusAsync(HttpStatusCode.Accepted);
        return (await response.JsonAsync()).GetProperty("operationId").GetString()!;
    }

    /// <summary>Runs an action to its end through the event stream; fails the test unless it exits 0.</summary>
    public async Task<List<SseItem<string>>> RunAsync(string name, string action)
    {
        var events = await StreamAsync(await StartAsync(name, action), _ => false);
        var end = events[^1];
        Assert.True(end.EventType == "end", $"{action} of {name} did not end: {string.Join('\n', events.Select(e => e.Data))}");
        using var data = JsonDocument.Parse(end.Data);
        Assert.True(data.RootElement.GetProperty("exitCode").GetInt64() == 0, $"{action} of {name}: {string.Join('\n', events.Select(e => e.Data))}");
        return events;
    }

    /// <summary>
    /// Reads an operation's event stream until its end, or until <paramref name="enough"/> says so.
    /// Lines are read as they come (event, data, blank line), so an event is seen as soon as it arrives.
    /// </summary>
    public async Task<List<SseItem<string>>> StreamAsync(string operationId, Func<List<SseItem<string>>, bool> enough, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/servers/{ServerId}/operations/{operationId}/stream");
        using var response = await (client ?? Alice).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<SseItem<string>>();
        string? type = null, data = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
            else if (line.Length == 0 && data is not null)
            {
                events.Add(new SseItem<string>(data, type));
                (type, data) = (null, null);
                if (events[^1].EventType == "end" || enough(events))
                {
                    break;
                }
            }
        }

        return events;
    }

    public async Task<JsonElement?> FindStackAsync(string name)
    {
        var list = await (await Alice.GetAsync($"/api/servers/{ServerId}/stacks")).JsonAsync();
        foreach (var stack in list.EnumerateArray())
        {
            if (stack.GetProperty("name").GetString() == name)
            {
                return stack;
            }
        }

        return null;
    }
}
