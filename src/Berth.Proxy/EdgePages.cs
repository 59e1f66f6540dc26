using System.Text;
using Microsoft.AspNetCore.Http;

namespace Berth.Proxy;

/// <summary>
/// The edge's own answers. Neutral on purpose: they never echo the requested name, and an unknown
/// host looks the same whatever exists on the platform.
/// </summary>
internal static class EdgePages
{
    public static readonly byte[] NotFound = Page(
        "No application here", "No application at this name", "Nothing is published at this address.");

    public static readonly byte[] BadGateway = Page(
        "Application not answering", "The application is not answering",
        "This name is published, but the application behind it did not answer. If it is yours, check that it is running and listening on port 80.");

    public static readonly byte[] GatewayTimeout = Page(
        "Application too slow", "The application took too long to answer",
        "This name is published, but the application behind it did not answer in time.");

    public static readonly byte[] ServiceUnavailable = Page(
        "Application busy", "The application is busy",
        "This name is published, but the application behind it is already answering as many requests as the platform lets through at once. Try again in a moment.");

    public static readonly byte[] TooLarge = Page(
        "Request too large", "The request is too large", "The request's body is larger than the platform lets through.");

    public static readonly byte[] BadRequest = Page(
        "Bad request", "The request could not be understood", "The request is malformed and was not passed on.");

    public static readonly byte[] Misdirected = Page(
        "Misdirected request", "Wrong name for this connection",
        "The connection was made for another name than the one requested. Open the address again in a new tab.");

    public static readonly byte[] NoCertificate = Page(
        "No certificate yet", "No HTTPS certificate for this name yet",
        "This name is published, but its HTTPS certificate is not issued, so nothing is served here over HTTPS. Open it with http:// for now. If it is yours, its domain's certificate state in the panel says why.");

    public static readonly byte[] Forbidden = Page(
        "Forbidden", "Not served from this address", "This name is only served through its content delivery network.");

    // Indexed by status (502, 504, 503), HEAD or not, then closing or not.
    private static readonly byte[][] RawPages =
    [
        .. from status in new[] { ("502 Bad Gateway", BadGateway), ("504 Gateway Timeout", GatewayTimeout), ("503 Service Unavailable", ServiceUnavailable) }
           from withBody in new[] { true, false }
           from close in new[] { false, true }
           select RawPage(status.Item1, status.Item2, withBody, close),
    ];

    /// <summary>
    /// A whole HTTP/1.1 answer (head and page) with the same headers as <see cref="WriteAsync"/>: 502, 503 or 504,
    /// with <c>Connection: close</c> when the connection ends after it (<paramref name="close"/>).
    /// </summary>
    public static byte[] Raw(int statusCode, bool headRequest, bool close) =>
        RawPages[(statusCode switch { StatusCodes.Status504GatewayTimeout => 4, StatusCodes.Status503ServiceUnavailable => 8, _ => 0 }) + (headRequest ? 2 : 0) + (close ? 1 : 0)];

    public static Task WriteAsync(HttpContext context, int statusCode, byte[] page)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = page.Length;
        response.Headers.CacheControl = "no-store";
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(page, 0, page.Length, context.RequestAborted);
    }

    private static byte[] RawPage(string status, byte[] page, bool withBody, bool close) =>
    [
        .. Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {page.Length}\r\nCache-Control: no-store\r\n"
            + (close ? "Connection: close\r\n\r\n" : "\r\n")),
        .. withBody ? page : [],
    ];

    private static byte[] Page(string title, string heading, string text) => Encoding.UTF8.GetBytes(
        $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>{{title}}</title>
        <style>body{font-family:system-ui,sans-serif;margin:15vh auto;max-width:36em;padding:0 1em;color:#333}h1{font-weight:500}</style>
        </head><body><h1>{{heading}}</h1><p>{{text}}</p></body></html>

        """);
}
