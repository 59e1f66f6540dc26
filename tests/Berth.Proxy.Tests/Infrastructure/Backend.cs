using System.Net;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Berth.Proxy.Tests.Infrastructure;

/// <summary>
/// A real origin on Kestrel at 127.0.0.1: answers with its name and echoes what it saw (Host, the
/// forwarding headers) in response headers; <c>/slow</c>, <c>/stream</c>, <c>/echo</c> and <c>/ws</c>
/// exercise requests in flight, streaming, request bodies and WebSockets; <c>/count</c> (a body read
/// slowly) and <c>/large?bytes=N</c> (a large answer) fill the buffers on the way.
/// </summary>
internal sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private Backend(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    public Uri Address { get; private set; } = null!;

    /// <summary>How many requests reached this origin.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Set when a <c>/slow</c> request has reached this origin.</summary>
    public TaskCompletionSource SlowRequestArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Released by a test to let <c>/stream</c> send its second chunk.</summary>
    public TaskCompletionSource StreamGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<Backend> StartAsync(string name)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddLogging();
        var app = builder.Build();
        var backend = new Backend(name, app);
        app.UseWebSockets();
        app.Run(backend.HandleAsync);
        await app.StartAsync();
        backend.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return backend;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var response = context.Response;
        response.Headers["X-Backend"] = Name;
        response.Headers["X-Seen-Host"] = request.Headers.Host.ToString();
        response.Headers["X-Seen-Forwarded-For"] = request.Headers["X-Forwarded-For"].ToString();
        response.Headers["X-Seen-Forwarded-Proto"] = request.Headers["X-Forwarded-Proto"].ToString();
        response.Headers["X-Seen-Forwarded-Host"] = request.Headers["X-Forwarded-Host"].ToString();
        response.Headers["X-Seen-CF-Connecting-IP"] = request.Headers["CF-Connecting-IP"].ToString();

        switch (request.Path.Value)
        {
            case "/ws" when context.WebSockets.IsWebSocketRequest:
                await EchoWebSocketAsync(context);
                return;
            case "/slow":
                SlowRequestArrived.TrySetResult();
                await Task.Delay(TimeSpan.FromMilliseconds(1500), context.RequestAborted);
                break;
            case "/echo":
                // The request body back, with how it was framed on arrival.
                response.Headers["X-Seen-Content-Length"] = request.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
                response.Headers["X-Seen-Transfer-Encoding"] = request.Headers.TransferEncoding.ToString();
                await request.Body.CopyToAsync(response.Body, context.RequestAborted);
                return;
            case "/count":
                await response.WriteAsync(await CountSlowlyAsync(request.Body, context.RequestAborted), context.RequestAborted);
                return;
            case "/large":
                await WriteLargeAsync(response, long.Parse(request.Query["bytes"]!, System.Globalization.CultureInfo.InvariantCulture), context.RequestAborted);
                return;
            case "/stream":
                await response.WriteAsync("first\n", context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
                await StreamGate.Task.WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
                await response.WriteAsync("second\n", context.RequestAborted);
                return;
            default:
                break;
        }

        await response.WriteAsync(Name, context.RequestAborted);
    }

    /// <summary>The same bytes <see cref="WriteLargeAsync"/> writes, for a client to compare with.</summary>
    public static byte[] LargeBody(long length)
    {
        var body = new byte[length];
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)(i * 31 % 251);
        }

        return body;
    }

    /// <summary>"length:SHA-256" of a body read 16 KB at a time with a pause every 64 reads.</summary>
    private static async Task<string> CountSlowlyAsync(Stream body, CancellationToken cancellationToken)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[16 * 1024];
        long length = 0;
        for (var reads = 1; ; reads++)
        {
            var read = await body.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return $"{length}:{Convert.ToHexString(hash.GetHashAndReset())}";
            }

            hash.AppendData(buffer, 0, read);
            length += read;
            if (reads % 64 == 0)
            {
                await Task.Delay(5, cancellationToken);
            }
        }
    }

    private static async Task WriteLargeAsync(HttpResponse response, long length, CancellationToken cancellationToken)
    {
        var body = LargeBody(length);
        response.ContentLength = length;
        for (var offset = 0; offset < body.Length; offset += 64 * 1024)
        {
            await response.Body.WriteAsync(body.AsMemory(offset, Math.Min(64 * 1024, body.Length - offset)), cancellationToken);
        }
    }

    private async Task EchoWebSocketAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                return;
            }

            var reply = Encoding.UTF8.GetBytes($"{Name}:{Encoding.UTF8.GetString(buffer, 0, received.Count)}");
            await socket.SendAsync(reply, WebSocketMessageType.Text, true, context.RequestAborted);
        }
    }
}
