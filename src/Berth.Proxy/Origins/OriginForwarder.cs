using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Berth.Proxy.Origins;

/// <summary>
/// The edge's own HTTP/1.1 forwarding for the common request: plain HTTP to an origin address, no
/// protocol upgrade, no <c>Expect</c>. It writes the request head straight from Kestrel's parsed request
/// onto a pooled keep-alive socket and streams the response back; everything else (WebSockets, HTTPS or
/// named origins) goes through YARP's forwarder. Why by hand: see the folder's README.
/// </summary>
internal sealed class OriginForwarder(ILogger<OriginForwarder> logger)
{
    private static readonly byte[] LineEnd = "\r\n"u8.ToArray();
    private static readonly byte[] LastChunk = "0\r\n\r\n"u8.ToArray();

    /// <summary>Whether the request can take this path, and how its body travels.</summary>
    public static bool CanForward(HttpContext context, out RequestBodyFraming framing)
    {
        framing = RequestBodyFraming.None;
        var request = context.Request;
        if (HttpMethods.IsConnect(request.Method)
            || context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true
            || request.Headers.Expect.Count > 0)
        {
            return false;
        }

        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            framing = request.ContentLength is > 0 ? RequestBodyFraming.ContentLength : RequestBodyFraming.Chunked;
        }

        return true;
    }

    /// <summary>Forwards the request whose <paramref name="head"/> is written; returns the head's buffer to the pool.</summary>
    public async Task ForwardAsync(HttpContext context, string host, OriginPool pool, byte[] head, int headLength, RequestBodyFraming framing)
    {
        OriginConnection? connection = null;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var reused = pool.TryRent(out connection);
                if (!reused)
                {
                    // At the origin's connection limit this may be an idle one that came free meanwhile.
                    connection = await pool.ConnectAsync(context.RequestAborted);
                    reused = connection.Reused;
                }

                connection!.Begin();
                var outcome = await ExchangeAsync(context, connection, head.AsMemory(0, headLength), framing);
                if (outcome == Outcome.Done)
                {
                    break;
                }

                // The origin closed a kept-alive connection before answering. It may have run the request all
                // the same: only an idempotent one without a body is sent again, once, on a new connection
                // (RFC 9110 §9.2.2); anything else gets the 502 page, as from nginx.
                pool.Discard(connection);
                connection = null;
                if (outcome == Outcome.ClosedBeforeAnswer && reused && attempt == 0
                    && framing == RequestBodyFraming.None && IsIdempotent(context.Request.Method))
                {
                    continue;
                }

                throw new OriginProtocolException("the origin closed the connection without answering");
            }

            if (connection.End())
            {
                pool.Return(connection);
            }
            else
            {
                pool.Discard(connection);
            }

            connection = null;
        }
        catch (Exception e) when (e is SocketException or IOException or OriginProtocolException or OriginBusyException or OperationCanceledException or InvalidOperationException)
        {
            if (connection is not null)
            {
                pool.Discard(connection);
                connection = null;
            }

            await FailAsync(context, host, e);
        }
        finally
        {
            if (connection is not null)
            {
                pool.Discard(connection);
            }

            ArrayPool<byte>.Shared.Return(head);
        }
    }

    private static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)
        || HttpMethods.IsTrace(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method);

    private enum Outcome
    {
        Done,
        ClosedBeforeAnswer,
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<Outcome> ExchangeAsync(HttpContext context, OriginConnection connection, ReadOnlyMemory<byte> head, RequestBodyFraming framing)
    {
        using var aborted = context.RequestAborted.UnsafeRegister(static state => ((OriginConnection)state!).Cancel(), connection);
        try
        {
            await connection.SendAsync(head);
            if (framing != RequestBodyFraming.None)
            {
                await SendBodyAsync(context.Request.BodyReader, connection, framing == RequestBodyFraming.Chunked);
            }
        }
        catch (SocketException) when (connection.Reused && framing == RequestBodyFraming.None)
        {
            return Outcome.ClosedBeforeAnswer;
        }

        // Interim (1xx) answers are read past; the edge never asks for 100-continue or an upgrade.
        var (headLength, status) = await connection.ReceiveFinalHeadAsync();
        if (headLength == 0)
        {
            return Outcome.ClosedBeforeAnswer;
        }

        var response = context.Response;
        var framingOut = OriginResponseHead.Apply(connection.Buffered[..headLength], status, response);
        connection.Consume(headLength);

        var bodiless = HttpMethods.IsHead(context.Request.Method) || framingOut.Status is 204 or 304;
        if (!bodiless)
        {
            if (framingOut.Chunked)
            {
                await OriginBody.CopyChunkedAsync(response.BodyWriter, connection, OriginResponseHead.MaxSize, passFraming: false);
            }
            else
            {
                await OriginBody.CopyAsync(response.BodyWriter, connection, framingOut.ContentLength, OriginResponseHead.MaxSize);
            }
        }

        if (!framingOut.Reusable(bodiless))
        {
            connection.Cancel();
        }

        return Outcome.Done;
    }

    internal static async Task SendBodyAsync(PipeReader body, OriginConnection connection, bool chunked)
    {
        var sizeLine = new byte[20];
        while (true)
        {
            ReadResult read;
            try
            {
                read = await body.ReadAsync(connection.Token);
            }
            catch (IOException e) when (e is not BadHttpRequestException)
            {
                // Kestrel reports some framing errors of the client's body as a plain IOException
                // ("Bad chunk size data."): still the client's fault, not the origin's.
                throw new BadHttpRequestException(e.Message, StatusCodes.Status400BadRequest, e);
            }

            foreach (var segment in read.Buffer)
            {
                if (chunked && !segment.IsEmpty)
                {
                    segment.Length.TryFormat(sizeLine, out var written, "X", System.Globalization.CultureInfo.InvariantCulture);
                    "\r\n"u8.CopyTo(sizeLine.AsSpan(written));
                    await connection.SendAsync(sizeLine.AsMemory(0, written + 2));
                    await connection.SendAsync(segment);
                    await connection.SendAsync(LineEnd);
                }
                else if (!segment.IsEmpty)
                {
                    await connection.SendAsync(segment);
                }
            }

            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        if (chunked)
        {
            await connection.SendAsync(LastChunk);
        }
    }

    private async Task FailAsync(HttpContext context, string host, Exception error)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (error is BadHttpRequestException badRequest)
        {
            // The client's body broke its framing (a malformed chunk, too large): the client's fault, not
            // the origin's. Kestrel ends the connection after this answer.
            if (!context.Response.HasStarted)
            {
                context.Response.Headers.Clear();
                await EdgePages.WriteAsync(context, badRequest.StatusCode, EdgePages.BadRequest);
            }

            return;
        }

        if (error is OriginBusyException busy)
        {
            // Nothing was sent to the origin: the client may try again.
            Log.OriginBusy(logger, host, busy.Limit);
            context.Response.Headers.Clear();
            context.Response.Headers.RetryAfter = "1";
            await EdgePages.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, EdgePages.ServiceUnavailable);
            return;
        }

        var timedOut = error is OperationCanceledException;
        Log.OriginFailed(logger, host, timedOut ? "no answer in time" : error.Message, error);
        if (context.Response.HasStarted)
        {
            // Part of the answer is on its way: the client can only learn of the failure by the connection ending.
            context.Abort();
            return;
        }

        context.Response.Headers.Clear();
        await EdgePages.WriteAsync(
            context,
            timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
            timedOut ? EdgePages.GatewayTimeout : EdgePages.BadGateway);
    }
}
