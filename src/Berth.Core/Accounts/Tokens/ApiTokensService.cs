using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Berth.Core.Activity;
using Berth.Core.Data;
using Berth.Core.Errors;
using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Accounts.Tokens;

/// <summary>
/// Personal access tokens: created by their owner (the secret shown once), listed with their last use,
/// revoked at will. A token is <c>berth_</c> and 32 random bytes in base64url, so a leaked one is easy
/// to recognise (secret scanners look for prefixes) and impossible to guess.
/// </summary>
public sealed class ApiTokensService(BerthDbContext db, ActivityLog activity, TimeProvider clock)
{
    public const string TokenPrefix = "berth_";
    public const int MaxNameLength = 64;
    public const int MaxTokensPerUser = 50;

    /// <summary>Last use is written at most this often, so most requests stay pure reads.</summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private static readonly int TokenLength = TokenPrefix.Length + 43;
    private static readonly BerthException NotFound = BerthException.NotFound("TOKEN_NOT_FOUND", "No such token.");

    public static string HashToken(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public async Task<List<ApiTokenView>> ListAsync(long userId, CancellationToken cancellationToken)
    {
        var rows = await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderBy(t => t.Id).ToListAsync(cancellationToken);
        return rows.Select(View).ToList();
    }

    public async Task<CreatedApiToken> CreateAsync(
        long userId, string? name, IReadOnlyList<string>? scopes, DateTimeOffset? expiresAt, IReadOnlyList<long>? serverIds, CancellationToken cancellationToken)
    {
        var cleanName = ValidName(name);
        var cleanScopes = ValidScopes(scopes);
        var now = clock.GetUtcNow();
        if (expiresAt is { } expiry && expiry <= now)
        {
            throw BerthException.Invalid("TOKEN_EXPIRY_PAST", "expiresAt must be in the future.");
        }

        return await db.InWriteTransactionAsync(async ct =>
        {
            var owner = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, ct);
            if (cleanScopes.Contains(ApiTokenScopes.Admin) && !owner.IsAdmin)
            {
                throw BerthException.Forbidden("TOKEN_SCOPE_FORBIDDEN", "Only an admin can create a token with the admin scope.");
            }

            var servers = await ValidServersAsync(owner, serverIds, ct);
            var tokens = db.ApiTokens.Where(t => t.UserId == userId);
            if (await tokens.CountAsync(ct) >= MaxTokensPerUser)
            {
                throw BerthException.Conflict("TOO_MANY_TOKENS", $"An account holds at most {MaxTokensPerUser} tokens; revoke one first.");
            }

            if (await tokens.AnyAsync(t => t.Name == cleanName, ct))
            {
                throw BerthException.Conflict("TOKEN_NAME_TAKEN", "You already have a token with this name.");
            }

            var secret = TokenPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            var row = new ApiToken
            {
                UserId = userId,
                Name = cleanName,
                TokenHash = HashToken(secret),
                Prefix = secret[..(TokenPrefix.Length + 4)],
                Scopes = string.Join(' ', cleanScopes),
                ServerIds = servers is null ? null : string.Join(',', servers.Select(s => s.ToString(CultureInfo.InvariantCulture))),
                CreatedAt = SeedTime.ToText(now),
                ExpiresAt = expiresAt is { } e ? SeedTime.ToText(e) : null,
            };
            db.ApiTokens.Add(row);
            activity.Add(db, userId, $"API token \"{cleanName}\" created");
            await db.SaveChangesAsync(ct);
            return new CreatedApiToken(View(row), secret);
        }, cancellationToken);
    }

    /// <summary>Revokes one of the user's tokens; another user's token answers like a missing one.</summary>
    public async Task RevokeAsync(long userId, long tokenId, CancellationToken cancellationToken) =>
        await db.InWriteTransactionAsync(async ct =>
        {
            var row = await db.ApiTokens.FirstOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId, ct) ?? throw NotFound;
            db.ApiTokens.Remove(row);
            activity.Add(db, userId, $"API token \"{row.Name}\" revoked");
            await db.SaveChangesAsync(ct);
            return true;
        }, cancellationToken);

    /// <summary>
    /// The token's owner and rights when the token is live (known, not expired, its owner enabled);
    /// null otherwise, alike for every reason.
    /// </summary>
    public async Task<ApiTokenPrincipal?> ValidateAsync(string? token, CancellationToken cancellationToken)
    {
        if (token is null || token.Length != TokenLength || !token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = HashToken(token);
        var now = clock.GetUtcNow();
        var nowText = SeedTime.ToText(now);
        var found = await db.ApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new { Token = t, u.Email, u.Admin, u.Enabled })
            .FirstOrDefaultAsync(cancellationToken);
        // The lookup went by the hash; comparing it again in constant time keeps the check itself free of timing.
        if (found is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(found.Token.TokenHash), Encoding.ASCII.GetBytes(hash))
            || !found.Enabled || (found.Token.ExpiresAt is { } expires && string.CompareOrdinal(expires, nowText) <= 0))
        {
            return null;
        }

        if (found.Token.LastUsedAt is null || SeedTime.Parse(found.Token.LastUsedAt) is not { } lastUsed || now - lastUsed >= TouchInterval)
        {
            await db.InWriteTransactionAsync(
                ct => db.ApiTokens.Where(t => t.Id == found.Token.Id).ExecuteUpdateAsync(u => u.SetProperty(t => t.LastUsedAt, nowText), ct),
                cancellationToken);
        }

        return new ApiTokenPrincipal(
            found.Token.Id,
            found.Token.Name,
            found.Token.UserId,
            found.Email,
            found.Admin == true,
            ScopesOf(found.Token).ToHashSet(StringComparer.Ordinal),
            ServersOf(found.Token)?.ToHashSet());
    }

    private static string ValidName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw BerthException.Invalid("TOKEN_NAME_INVALID", $"A token's name has 1 to {MaxNameLength} characters and no control characters.");
        }

        return trimmed;
    }

    private static List<string> ValidScopes(IReadOnlyList<string>? scopes)
    {
        if (scopes is null || scopes.Count == 0)
        {
            throw BerthException.Invalid("TOKEN_SCOPES_INVALID", $"Name at least one scope: {string.Join(", ", ApiTokenScopes.All)}.");
        }

        if (scopes.FirstOrDefault(s => !ApiTokenScopes.All.Contains(s)) is { } unknown)
        {
            throw BerthException.Invalid("TOKEN_SCOPES_INVALID", $"Unknown scope \"{Shorten(unknown)}\"; the scopes are {string.Join(", ", ApiTokenScopes.All)}.");
        }

        return ApiTokenScopes.All.Where(scopes.Contains).ToList();
    }

    private async Task<List<long>?> ValidServersAsync(User owner, IReadOnlyList<long>? serverIds, CancellationToken cancellationToken)
    {
        if (serverIds is null)
        {
            return null;
        }

        var distinct = serverIds.Distinct().Order().ToList();
        if (distinct.Count is 0 or > 100)
        {
            throw BerthException.Invalid("TOKEN_SERVERS_INVALID", "serverIds names 1 to 100 servers, or is left out for all of them.");
        }

        var visible = db.VirtualServers.Where(s => !s.Deleted && s.Id != VirtualServer.HostId && distinct.Contains(s.Id));
        if (!owner.IsAdmin)
        {
            visible = visible.Where(s => s.OwnerId == owner.Id);
        }

        if (await visible.CountAsync(cancellationToken) != distinct.Count)
        {
            throw BerthException.NotFound("SERVER_NOT_FOUND", "No such server.");
        }

        return distinct;
    }

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static string[] ScopesOf(ApiToken row) => row.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static List<long>? ServersOf(ApiToken row) =>
        row.ServerIds?.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();

    private static ApiTokenView View(ApiToken row) => new(
        row.Id,
        row.Name,
        row.Prefix,
        ScopesOf(row).ToList(),
        ServersOf(row),
        SeedTime.Parse(row.CreatedAt) ?? DateTimeOffset.UnixEpoch,
        row.ExpiresAt is null ? null : SeedTime.Parse(row.ExpiresAt),
        row.LastUsedAt is null ? null : SeedTime.Parse(row.LastUsedAt));
}
