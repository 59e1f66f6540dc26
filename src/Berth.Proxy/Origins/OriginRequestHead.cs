using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Berth.Proxy.Origins;

/// <summary>How the request body travels to the origin.</summary>
internal enum RequestBodyFraming
{
    None,
    ContentLength,
    Chunked,
}

/// <summary>
/// Writes the HTTP/1.1 request head sent to the origin: the client's method, target and headers as
/// Kestrel parsed them and <see cref="HeadRules.IsForwardable"/> checked them, the client's Host, without
/// the headers <see cref="HeadRules.IsDropped(ReadOnlySpan{char}, Microsoft.Extensions.Primitives.StringValues)"/>
/// keeps on the edge, and with the edge's own <c>X-Forwarded-*</c> (whatever the client sent in them is dropped).
/// </summary>
internal static class OriginRequestHead
{
    private const int MaxHeadSize = 64 * 1024;

    /// <summary>
    /// The head in a buffer from <see cref="ArrayPool{T}.Shared"/> (the caller returns it), or false when
    /// something in the request cannot be written as plain ASCII HTTP/1.1 (the general path then forwards it).
    /// </summary>
    public static bool TryWrite(
        HttpContext context, string? clientAddress, bool trustedPeer, RequestBodyFraming framing, out byte[] buffer, out int length)
    {
        var request = context.Request;
        var writer = new HeadWriter(ArrayPool<byte>.Shared.Rent(4096));
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target != "*" && (string.IsNullOrEmpty(target) || target[0] != '/'))
        {
            // Absolute-form targets: the origin gets the origin-form path and query. The asterisk form
            // (OPTIONS *, which Kestrel allows for OPTIONS only) passes as it is.
            target = request.PathBase.ToUriComponent() + request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
            target = target.Length == 0 || target[0] != '/' ? "/" + target : target;
        }

        var host = request.Host.Value ?? string.Empty;
        var nominated = request.Headers.Connection;
        var ok = writer.AppendToken(request.Method) && writer.Literal(" ") && writer.AppendVisible(target) && writer.Literal(" HTTP/1.1\r\nHost: ")
            && writer.AppendVisible(host) && writer.Literal("\r\n");

        foreach (var (name, values) in request.Headers)
        {
            if (!ok)
            {
                break;
            }

            if (name.Length == 0 || name[0] == ':' || HeadRules.IsDropped(name, nominated)
                || (!trustedPeer && name.Equals(ClientAddressResolver.CloudflareHeader, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            foreach (var value in values)
            {
                ok = ok && writer.AppendToken(name) && writer.Literal(": ") && writer.AppendValue(value) && writer.Literal("\r\n");
            }
        }

        ok = ok && framing switch
        {
            RequestBodyFraming.ContentLength => writer.Literal("Content-Length: ") && writer.Append(request.ContentLength ?? 0) && writer.Literal("\r\n"),
            RequestBodyFraming.Chunked => writer.Literal("Transfer-Encoding: chunked\r\n"),
            _ => request.ContentLength == 0 || HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)
                ? writer.Literal("Content-Length: 0\r\n")
                : true,
        };

        ok = ok && (clientAddress is null || (writer.Literal("X-Forwarded-For: ") && writer.AppendVisible(clientAddress) && writer.Literal("\r\n")))
            && writer.Literal(request.IsHttps ? "X-Forwarded-Proto: https\r\n" : "X-Forwarded-Proto: http\r\n")
            && (host.Length == 0 || (writer.Literal("X-Forwarded-Host: ") && writer.AppendVisible(host) && writer.Literal("\r\n")))
            && writer.Literal("\r\n");

        buffer = writer.Buffer;
        length = writer.Length;
        if (!ok)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
            length = 0;
        }

        return ok;
    }

    /// <summary>Appends ASCII text to a pooled buffer, growing it up to <see cref="MaxHeadSize"/>.</summary>
    private struct HeadWriter(byte[] buffer)
    {
        public byte[] Buffer { get; private set; } = buffer;

        public int Length { get; private set; }

        // HeadRules.IsForwardable has checked the request; these are the last guard before the bytes reach
        // the origin, so that no path can write a space into a name or a line end into a value.

        /// <summary>A method or header name: token characters only.</summary>
        public bool AppendToken(string? text) => HeadRules.IsToken(text) && AppendAscii(text!);

        /// <summary>A target, host or address: visible ASCII only.</summary>
        public bool AppendVisible(string? text) => text is not null && HeadRules.IsVisible(text) && AppendAscii(text);

        /// <summary>
        /// A header value: no control characters but tab; beyond ASCII, the UTF-8 bytes Kestrel decoded it
        /// from (its default decoding), so the origin gets the bytes the client sent.
        /// </summary>
        public bool AppendValue(string? value)
        {
            value ??= string.Empty;
            foreach (var c in value)
            {
                if (c < 0x20 ? c != '\t' : c == 0x7F)
                {
                    return false;
                }
            }

            if (System.Text.Ascii.IsValid(value))
            {
                return AppendAscii(value);
            }

            if (!Reserve(System.Text.Encoding.UTF8.GetByteCount(value)))
            {
                return false;
            }

            Length += System.Text.Encoding.UTF8.GetBytes(value, Buffer.AsSpan(Length));
            return true;
        }

        /// <summary>The edge's own fixed text (line ends included): not checked.</summary>
        public bool Literal(string text)
        {
            if (!Reserve(text.Length))
            {
                return false;
            }

            Length += System.Text.Encoding.ASCII.GetBytes(text, Buffer.AsSpan(Length));
            return true;
        }

        private bool AppendAscii(string text)
        {
            if (!Reserve(text.Length))
            {
                return false;
            }

            Length += System.Text.Encoding.ASCII.GetBytes(text, Buffer.AsSpan(Length));
            return true;
        }

        public bool Append(long number)
        {
            if (!Reserve(20) || !number.TryFormat(Buffer.AsSpan(Length), out var written, default, System.Globalization.CultureInfo.InvariantCulture))
            {
                return false;
            }

            Length += written;
            return true;
        }

        private bool Reserve(int count)
        {
            if (Length + count <= Buffer.Length)
            {
                return true;
            }

            if (Length + count > MaxHeadSize)
            {
                return false;
            }

            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(Buffer.Length * 2, Length + count));
            Buffer.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = larger;
            return true;
        }
    }
}
