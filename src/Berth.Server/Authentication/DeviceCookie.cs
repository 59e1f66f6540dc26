using System.Security.Cryptography;
using Berth.Core.Accounts;
using Microsoft.AspNetCore.DataProtection;

namespace Berth.Server.Authentication;

/// <summary>
/// The device cookie of OWASP's guidance on password guessing: after a successful sign-in the browser
/// gets a signed, encrypted token naming the account and a random device id, and a later sign-in to
/// that account from that browser is judged by the browser's own failures only, so an attack on the
/// account from elsewhere never locks its owner out. The token is protected with ASP.NET Core Data
/// Protection (tampered, foreign or expired tokens read as none) and says nothing to scripts.
/// </summary>
internal sealed class DeviceCookie(IDataProtectionProvider protection, TimeProvider clock)
{
    /// <summary>The bare name; over HTTPS the cookie is <c>__Host-berth_device</c> (<see cref="BrowserCookies"/>).</summary>
    public const string Name = "berth_device";

    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(180);

    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("Berth.DeviceCookie.v1").ToTimeLimitedDataProtector();

    /// <summary>The device this browser proved, or null (no cookie, or one that is not Berth's, or expired).</summary>
    public LoginDevice? Read(HttpContext context)
    {
        if (BrowserCookies.Read(context, Name) is not { Length: > 0 and < 4096 } value)
        {
            return null;
        }

        try
        {
            var text = _protector.Unprotect(value, out var expires);
            var parts = text.Split('\n');
            return parts.Length == 2 && expires > clock.GetUtcNow() ? new LoginDevice(parts[0], parts[1]) : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>After a successful sign-in to <paramref name="account"/>: the browser's device for it (the same id when it had one).</summary>
    public void Write(HttpContext context, string account, LoginDevice? previous)
    {
        var id = previous?.Account == account ? previous.Id : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var token = _protector.Protect(account + "\n" + id, clock.GetUtcNow() + Lifetime);
        BrowserCookies.Write(context, Name, token, Lifetime);
    }
}
