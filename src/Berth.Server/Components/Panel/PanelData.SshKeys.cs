using Berth.Core.Ssh;

namespace Berth.Server.Components.Panel;

/// <summary>The signed-in user's own SSH public keys.</summary>
public sealed partial class PanelData
{
    public Task<List<SshKeyView>> ListSshKeysAsync() =>
        RunAsync((s, a) => s.GetRequiredService<SshKeysService>().ListAsync(a.UserId, default));

    public Task<SshKeyView> AddSshKeyAsync(string name, string publicKey) =>
        RunAsync((s, a) => s.GetRequiredService<SshKeysService>().AddAsync(a.UserId, name, publicKey, default));

    public Task DeleteSshKeyAsync(long keyId) => RunAsync(async (s, a) =>
    {
        await s.GetRequiredService<SshKeysService>().DeleteAsync(a.UserId, keyId, default);
        return true;
    });
}
