using Berth.Core.Forwards;
using Microsoft.Extensions.Options;

namespace Berth.Server.Components.Panel;

/// <summary>The port forwards of a server, as the signed-in user may see and change them.</summary>
public sealed partial class PanelData
{
    public Task<List<ForwardView>> ListForwardsAsync(long serverId) =>
        RunAsync((s, a) => s.GetRequiredService<ForwardsService>().ListAsync(a.UserId, a.IsAdmin, serverId, default));

    public Task<ForwardCheck> ValidateForwardAsync(long serverId, long? forwardId, ForwardFields fields) =>
        RunAsync((s, a) => s.GetRequiredService<ForwardsService>().ValidateAsync(a.UserId, a.IsAdmin, fields, forwardId, forwardId is null ? serverId : null, default));

    public Task<ForwardView> AddForwardAsync(long serverId, ForwardFields fields) =>
        RunAsync((s, a) => s.GetRequiredService<ForwardsService>().AddAsync(a.UserId, a.IsAdmin, serverId, fields, default));

    public Task<ForwardView> UpdateForwardAsync(long serverId, long forwardId, ForwardFields fields) =>
        RunAsync((s, a) => s.GetRequiredService<ForwardsService>().UpdateAsync(a.UserId, a.IsAdmin, serverId, forwardId, fields, default));

    public Task DeleteForwardAsync(long serverId, long forwardId) => RunAsync(async (s, a) =>
    {
        await s.GetRequiredService<ForwardsService>().DeleteAsync(a.UserId, a.IsAdmin, serverId, forwardId, default);
        return true;
    });

    /// <summary>The pool and the name to connect to, for the section's help text.</summary>
    public Task<ForwardsOptions> ForwardSettingsAsync() =>
        RunAsync((s, _) => Task.FromResult(s.GetRequiredService<IOptions<ForwardsOptions>>().Value));
}
