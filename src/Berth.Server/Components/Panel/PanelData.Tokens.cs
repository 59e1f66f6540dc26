using Berth.Core.Accounts.Tokens;

namespace Berth.Server.Components.Panel;

/// <summary>The signed-in user's own API tokens.</summary>
public sealed partial class PanelData
{
    public Task<List<ApiTokenView>> ListTokensAsync() =>
        RunAsync((s, a) => s.GetRequiredService<ApiTokensService>().ListAsync(a.UserId, default));

    public Task<CreatedApiToken> CreateTokenAsync(string name, IReadOnlyList<string> scopes, DateTimeOffset? expiresAt) =>
        RunAsync((s, a) => s.GetRequiredService<ApiTokensService>().CreateAsync(a.UserId, name, scopes, expiresAt, null, default));

    public Task RevokeTokenAsync(long tokenId) => RunAsync(async (s, a) =>
    {
        await s.GetRequiredService<ApiTokensService>().RevokeAsync(a.UserId, tokenId, default);
        return true;
    });
}
