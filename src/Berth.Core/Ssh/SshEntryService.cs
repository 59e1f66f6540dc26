using System.Globalization;
using System.Text.RegularExpressions;
using Berth.Core.Accounts;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Berth.Core.Ssh;

public enum SshMethod
{
    Password,
    PublicKey,
}

/// <summary>
/// One authentication attempt at the SSH entry, as the gateway saw it. <paramref name="Proven"/> is
/// false for a public-key query (no signature: the client asks whether the key would do); the gateway
/// has verified the signature of a signed one over the session before asking.
/// </summary>
public sealed record SshAttempt(string User, string Address, SshMethod Method, bool Proven, string? Password = null, byte[]? Key = null);

/// <summary>Where an authorised connection goes: the server's own sshd and the host key it must present.</summary>
public sealed record SshTarget(long ServerId, string Host, int Port, string HostKey);

/// <summary>The answer to an attempt: a target only for an accepted final (signed or password) attempt.</summary>
public sealed record SshDecision(bool Allow, SshTarget? Target)
{
    public static readonly SshDecision Refused = new(false, null);
}

/// <summary>
/// Decides who may enter which server over SSH (decision 0009). The user name selects the server by
/// an exact grammar only; "no such server", "not yours", a stopped server, a disabled account and a
/// malformed name all get the same refusal, after the same work (one bcrypt for a password).
/// Passwords go through the web login's throttle and verifier; final attempts are activity rows.
/// </summary>
public sealed partial class SshEntryService(
    BerthDbContext db,
    PasswordVerifier passwords,
    LoginThrottle throttle,
    ServerContainers containers,
    SshEntryKeys keys,
    ActivityLog activity,
    IOptions<SshEntryOptions> options,
    TimeProvider clock)
{
    /// <summary>The port of the sshd inside every server.</summary>
    public const int ServerSshPort = 22;

    public async Task<SshDecision> AuthorizeAsync(SshAttempt attempt, CancellationToken cancellationToken)
    {
        var serverId = ParseUser(attempt.User);
        var server = serverId is { } id
            ? await db.VirtualServers.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id && !s.Deleted, cancellationToken)
            : null;
        var owner = server is null ? null : await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == server.OwnerId, cancellationToken);
        return attempt.Method == SshMethod.Password
            ? await PasswordAsync(attempt, server, owner, cancellationToken)
            : await KeyAsync(attempt, server, owner, cancellationToken);
    }

    /// <summary><c>server&lt;N&gt;</c> with N a positive id without leading zeros; anything else is no server.</summary>
    public static long? ParseUser(string? user) =>
        user is not null && UserGrammar().IsMatch(user)
            && long.TryParse(user.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    private async Task<SshDecision> PasswordAsync(SshAttempt attempt, VirtualServer? server, User? owner, CancellationToken cancellationToken)
    {
        // The owner's account is what a password proves; unknown servers share one throttle key.
        var loginAttempt = new LoginAttempt(owner?.Email ?? "", attempt.Address);
        try
        {
            throttle.Begin(loginAttempt);
        }
        catch (BerthException e) when (e.Kind == ErrorKind.TooManyRequests)
        {
            // Refused before any bcrypt, like the web login's 429.
            await RecordAsync(owner?.Id, $"SSH login to virtual server {Named(attempt.User)} refused: too many attempts (password, IP: {attempt.Address})", cancellationToken);
            return SshDecision.Refused;
        }

        var matches = passwords.Verify(attempt.Password ?? "", owner?.Password);
        var target = matches && owner is { Enabled: true } && server is not null ? await TargetAsync(server, cancellationToken) : null;
        if (target is null)
        {
            await RecordAsync(owner?.Id, $"SSH login to virtual server {Named(attempt.User)} failed (password, IP: {attempt.Address})", cancellationToken);
            return SshDecision.Refused;
        }

        throttle.Succeeded(loginAttempt);
        await RecordAsync(owner!.Id, $"SSH login to virtual server #{server!.Id} by {owner.Email} (password, IP: {attempt.Address})", cancellationToken);
        return new SshDecision(true, target);
    }

    private async Task<SshDecision> KeyAsync(SshAttempt attempt, VirtualServer? server, User? owner, CancellationToken cancellationToken)
    {
        if (attempt.Key is not { Length: > 0 } blob || server is null)
        {
            if (attempt.Proven)
            {
                await RecordAsync(owner?.Id, $"SSH login to virtual server {Named(attempt.User)} failed (public key, IP: {attempt.Address})", cancellationToken);
            }

            return SshDecision.Refused;
        }

        // The fingerprint is computed here from the presented key, never taken from the gateway.
        var fingerprint = SshPublicKey.FingerprintOf(blob);
        var adminEntry = options.Value.AdminEntry;
        var holder = await (
            from key in db.SshKeys
            join user in db.Users on key.UserId equals user.Id
            where key.Fingerprint == fingerprint && user.Enabled && (user.Id == server.OwnerId || (adminEntry && user.Admin == true))
            orderby user.Id == server.OwnerId descending
            select new { KeyId = key.Id, KeyName = key.Name, user.Id, user.Email })
            .FirstOrDefaultAsync(cancellationToken);
        var target = holder is null ? null : await TargetAsync(server, cancellationToken);
        if (!attempt.Proven)
        {
            // A query grants nothing: it only tells the client which of its keys to sign with.
            return target is null ? SshDecision.Refused : new SshDecision(true, null);
        }

        if (target is null)
        {
            await RecordAsync(owner?.Id, $"SSH login to virtual server {Named(attempt.User)} failed (public key {fingerprint}, IP: {attempt.Address})", cancellationToken);
            return SshDecision.Refused;
        }

        var now = SeedTime.Now(clock);
        await db.SshKeys.Where(k => k.Id == holder!.KeyId).ExecuteUpdateAsync(k => k.SetProperty(x => x.LastUsedAt, now), cancellationToken);
        await RecordAsync(holder!.Id, $"SSH login to virtual server #{server.Id} by {holder.Email} (public key \"{holder.KeyName}\" {fingerprint}, IP: {attempt.Address})", cancellationToken);
        return new SshDecision(true, target);
    }

    /// <summary>The server's sshd when the server is enabled and its container runs with an address and a pinned host key.</summary>
    private async Task<SshTarget?> TargetAsync(VirtualServer server, CancellationToken cancellationToken)
    {
        if (!server.Enabled || server.Id == VirtualServer.HostId)
        {
            return null;
        }

        var container = await containers.FindAsync(server.Id, cancellationToken);
        return container is { State: "running", Address: { } address } && keys.ServerHostKey(server.Id) is { } hostKey
            ? new SshTarget(server.Id, address, ServerSshPort, hostKey)
            : null;
    }

    /// <summary>Activity rows belong to the server's owner (or the system when there is none), like other server events.</summary>
    private async Task RecordAsync(long? userId, string message, CancellationToken cancellationToken)
    {
        await db.InWriteTransactionAsync(async ct =>
        {
            activity.Add(db, userId ?? 0, message);
            await db.SaveChangesAsync(ct);
            return true;
        }, cancellationToken);
    }

    /// <summary>A user name as written in an activity row: <c>#N</c> when it names a server, else cut and cleaned.</summary>
    private static string Named(string user) => ParseUser(user) is { } id
        ? "#" + id.ToString(CultureInfo.InvariantCulture)
        : "\"" + new string([.. user.Take(40).Select(c => char.IsControl(c) ? '?' : c)]) + "\"";

    [GeneratedRegex("^server[1-9][0-9]{0,18}$", RegexOptions.CultureInvariant)]
    private static partial Regex UserGrammar();
}
