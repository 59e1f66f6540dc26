using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Berth.Proxy.Origins;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Berth.Proxy.Lane;

/// <summary>
/// The edge's lane for the common request on its plain HTTP listeners: a connection middleware in front
/// of Kestrel's HTTP/1.1 that forwards a plain <c>GET</c> or <c>HEAD</c> (<see cref="LaneRequestHead"/>) to its
/// route's origin byte for byte, without an <c>HttpContext</c>. The first request that is anything else
/// (a body, an upgrade, an unknown host, an ACME challenge, a redirect, a Cloudflare route, a malformed
/// head) is left unread and the connection goes to Kestrel from there on: between two requests an
/// HTTP/1.1 connection carries no state, so Kestrel starts on it as on a new one.
/// </summary>
internal sealed class PlainLane(
    EdgeRouteTable routes, OriginPools pools, ClientAddressResolver clients, LaneTimeouts timeouts, IOptions<EdgeOptions> options, ILogger<PlainLane> logger)
{
    private long _forwarded;
    private long _handedOver;

    // Kestrel's limits apply to what it reads: the lane takes no head that they would refuse.
    private readonly int _maxHeadLength = Math.Min(LaneRequestHead.MaxLength, options.Value.MaxRequestHeadersTotalSize);
    private readonly int _maxHeaders = Math.Min(LaneRequestHead.MaxHeaderLines, options.Value.MaxRequestHeaderCount);

    /// <summary>Requests the lane forwarded (for diagnostics and tests).</summary>
    internal long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Connections the lane left to Kestrel at a request that is not its own (for diagnostics and tests).</summary>
    internal long HandedOver => Interlocked.Read(ref _handedOver);

    public ConnectionDelegate Wrap(ConnectionDelegate next) => connection => RunAsync(connection, next);

    private async Task RunAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var peer = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (peer is null || (clients.HasRanges && clients.IsTrustedPeer(peer)))
        {
            // Cloudflare's peers send the client's address in a header: the general path reads it.
            await next(connection);
            return;
        }

        var clientAddress = Encoding.ASCII.GetBytes((peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer).ToString());
        using var watch = timeouts.Start(connection);
        try
        {
            if (!await ServeAsync(connection, clientAddress, watch))
            {
                Interlocked.Increment(ref _handedOver);
                await next(connection);
                return;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client reset or the connection was aborted: nothing is left to answer.
        }

        await connection.Transport.Input.CompleteAsync();
        await connection.Transport.Output.CompleteAsync();
    }

    /// <summary>Serves requests until the connection ends (true) or one is Kestrel's (false).</summary>
    private async Task<bool> ServeAsync(ConnectionContext connection, byte[] clientAddress, LaneTimeouts.Watch watch)
    {
        var input = connection.Transport.Input;
        var answer = new AnswerState();
        while (true)
        {
            var read = await input.ReadAsync();
            var buffer = read.Buffer;
            if (read.IsCanceled || (buffer.IsEmpty && (read.IsCompleted || watch.ShutdownRequested)))
            {
                // Shut down between requests, timed out, or the client left.
                input.AdvanceTo(buffer.End);
                return true;
            }

            var decision = Decide(buffer, clientAddress, out var request);
            if (decision == LaneDecision.NeedMore && !read.IsCompleted)
            {
                watch.Waiting(inHead: true);
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            if (decision != LaneDecision.Forward)
            {
                // Nothing of this request is consumed: Kestrel reads it from its first byte.
                input.AdvanceTo(buffer.Start);
                watch.Dispose();
                return false;
            }

            input.AdvanceTo(buffer.GetPosition(request.ConsumedLength));
            watch.Working();
            Interlocked.Increment(ref _forwarded);
            if (!await ForwardAsync(connection, request, answer))
            {
                return true;
            }

            watch.Waiting(inHead: false);
        }
    }

    private LaneDecision Decide(ReadOnlySequence<byte> buffer, byte[] clientAddress, out LaneRequest request)
    {
        request = default;
        Span<byte> copy = stackalloc byte[buffer.IsSingleSegment ? 0 : (int)Math.Min(buffer.Length, _maxHeadLength)];
        scoped ReadOnlySpan<byte> data;
        if (buffer.IsSingleSegment)
        {
            data = buffer.FirstSpan;
        }
        else
        {
            buffer.Slice(0, copy.Length).CopyTo(copy);
            data = copy;
        }

        var headLength = LaneRequestHead.FindEnd(data, _maxHeadLength);
        if (headLength <= 0)
        {
            return headLength == 0 ? LaneDecision.NeedMore : LaneDecision.Kestrel;
        }

        var head = data[..headLength];
        var originHead = ArrayPool<byte>.Shared.Rent(LaneRequestHead.TranslatedSize(headLength + clientAddress.Length));
        if (!LaneRequestHead.TryTranslate(head, _maxHeaders, clientAddress, originHead, out var host, out var isHead, out var close, out var originHeadLength)
            || !TryFindRoute(host, out var entry) || !IsPlain(entry))
        {
            ArrayPool<byte>.Shared.Return(originHead);
            return LaneDecision.Kestrel;
        }

        request = new LaneRequest(entry, originHead, originHeadLength, isHead, close, headLength);
        return LaneDecision.Forward;
    }

    private bool TryFindRoute(ReadOnlySpan<byte> host, out RouteEntry entry)
    {
        Span<char> name = stackalloc char[host.Length];
        Encoding.ASCII.GetChars(host, name);
        return routes.TryFindEntry(name, out entry!);
    }

    /// <summary>A route the lane serves: a plain HTTP origin, not a Cloudflare name, no redirect to HTTPS, no client certificate required.</summary>
    private static bool IsPlain(RouteEntry entry) =>
        entry.OriginEndPoint is not null && !entry.IsCloudflare && !entry.RedirectsToHttps && !entry.RequiresClientCertificate;

    /// <summary>Forwards one request; false when the client's connection ends with it.</summary>
    private async Task<bool> ForwardAsync(ConnectionContext client, LaneRequest request, AnswerState answer)
    {
        var pool = request.Entry.OriginPool ??= pools.For(request.Entry.OriginEndPoint!);
        var output = client.Transport.Output;
        OriginConnection? connection = null;
        answer.Started = false;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var reused = pool.TryRent(out connection);
                if (!reused)
                {
                    // At the origin's connection limit this may be an idle one that came free meanwhile.
                    connection = await pool.ConnectAsync(client.ConnectionClosed);
                    reused = connection.Reused;
                }

                connection!.Begin();
                bool? outcome;
                using (client.ConnectionClosed.UnsafeRegister(static state => ((OriginConnection)state!).Cancel(), connection))
                {
                    outcome = await ExchangeAsync(output, connection, request, answer);
                }

                // Only now (the client's going away can no longer cancel it) may the connection serve another request.
                if (outcome is { } keepClient)
                {
                    if (connection.End())
                    {
                        pool.Return(connection);
                    }
                    else
                    {
                        pool.Discard(connection);
                    }

                    connection = null;
                    return keepClient;
                }

                // The origin closed a kept-alive connection before answering: a request without a body is
                // safe to send again once, on a new connection.
                pool.Discard(connection);
                connection = null;
                if (!reused || attempt > 0)
                {
                    throw new OriginProtocolException("the origin closed the connection without answering");
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OriginProtocolException or OriginBusyException or OperationCanceledException or InvalidOperationException)
        {
            if (connection is not null)
            {
                pool.Discard(connection);
                connection = null;
            }

            return await FailAsync(client, request, answer.Started, e);
        }
        finally
        {
            if (connection is not null)
            {
                pool.Discard(connection);
            }

            ArrayPool<byte>.Shared.Return(request.OriginHead);
        }
    }

    /// <summary>
    /// Sends the head and passes the answer on; null when a reused connection turned out closed before any
    /// answer, else whether the client's connection may serve another request.
    /// </summary>
    private static async ValueTask<bool?> ExchangeAsync(PipeWriter output, OriginConnection connection, LaneRequest request, AnswerState answer)
    {
        try
        {
            await connection.SendAsync(request.OriginHead.AsMemory(0, request.OriginHeadLength));
        }
        catch (SocketException) when (connection.Reused)
        {
            return null;
        }

        // Interim (1xx) answers are read past; the lane never asks for 100-continue or an upgrade.
        var (headLength, status) = await connection.ReceiveFinalHeadAsync();
        if (headLength == 0)
        {
            return connection.Reused ? null : throw new OriginProtocolException("the origin closed the connection without answering");
        }

        var framing = WriteHead(output, connection.Buffered[..headLength], status, request, out var closeClient);
        connection.Consume(headLength);
        answer.Started = true;

        var bodiless = request.IsHead || status is 204 or 304;
        if (!bodiless)
        {
            if (framing.Chunked)
            {
                await OriginBody.CopyChunkedAsync(output, connection, OriginResponseHead.MaxSize, passFraming: true);
            }
            else
            {
                await OriginBody.CopyAsync(output, connection, framing.ContentLength, OriginResponseHead.MaxSize);
            }
        }

        var flushed = await output.FlushAsync(connection.Token);
        if (flushed.IsCanceled || flushed.IsCompleted)
        {
            throw new OperationCanceledException("the client went away");
        }

        if (!framing.Reusable(bodiless))
        {
            connection.Cancel();
        }

        return !closeClient;
    }

    private static ResponseFraming WriteHead(PipeWriter output, ReadOnlySpan<byte> head, int status, LaneRequest request, out bool closeClient)
    {
        var span = output.GetSpan(OriginResponseHead.TranslatedSize(head.Length));
        var framing = OriginResponseHead.Translate(head, status, request.IsHead, request.Close, span, out var length, out closeClient);
        output.Advance(length);
        return framing;
    }

    /// <summary>Answers a failed exchange with the edge's page when nothing was sent yet; false: the connection ends.</summary>
    private async Task<bool> FailAsync(ConnectionContext client, LaneRequest request, bool started, Exception error)
    {
        if (client.ConnectionClosed.IsCancellationRequested)
        {
            return false;
        }

        var timedOut = error is OperationCanceledException;
        if (error is OriginBusyException busy)
        {
            Log.OriginBusy(logger, request.Entry.Route.Host, busy.Limit);
        }
        else
        {
            Log.OriginFailed(logger, request.Entry.Route.Host, timedOut ? "no answer in time" : error.Message, error);
        }

        if (started)
        {
            // Part of the answer is on its way: the client can only learn of the failure by the connection ending.
            return false;
        }

        var page = EdgePages.Raw(error is OriginBusyException ? 503 : timedOut ? 504 : 502, request.IsHead, request.Close);
        var result = await client.Transport.Output.WriteAsync(page);
        return !request.Close && !result.IsCanceled && !result.IsCompleted;
    }

    /// <summary>Whether the answer to the current request has begun (one per connection: no allocation per request).</summary>
    private sealed class AnswerState
    {
        public bool Started { get; set; }
    }

    /// <summary>A request the lane forwards; <c>Close</c>: the client asked to close the connection after the answer.</summary>
    private readonly record struct LaneRequest(RouteEntry Entry, byte[] OriginHead, int OriginHeadLength, bool IsHead, bool Close, int ConsumedLength);
}
