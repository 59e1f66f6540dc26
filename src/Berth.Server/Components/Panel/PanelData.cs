using Berth.Core.Accounts;
using Berth.Core.Activity;
using Berth.Core.Dashboard;
using Berth.Core.Data;
using Berth.Core.Domains;
using Berth.Core.Monitoring;
using Berth.Core.Servers;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;

namespace Berth.Server.Components.Panel;

/// <summary>Who acts: read from the live session on every call, never from what the page was rendered with.</summary>
public sealed record PanelActor(long UserId, long SessionId, string Email, bool IsAdmin);

/// <summary>A container of a server, with the compose project it belongs to (empty: none).</summary>
/// <summary>An inner container as the server page lists it; <see cref="SeenAt"/>: when the monitor wrote its status.</summary>
public sealed record PanelContainer(string Name, string Image, string State, string Status, string Stack, DateTimeOffset? SeenAt);

/// <summary>A server at a glance in a list: its compose stacks and its recent CPU use (oldest first).</summary>
public sealed record ServerGlance(IReadOnlyList<string> Stacks, IReadOnlyList<double> RecentCpu);

/// <summary>
/// Everything the panel reads and changes, through the same application services as the API.
/// Each call runs in a scope of its own (a page lives long; a database context must not) and
/// first checks that the connection's session is still live, so a disabled user or an ended
/// session stops at the very next action.
/// </summary>
public sealed partial class PanelData(
    IServiceScopeFactory scopes,
    AuthenticationStateProvider authentication,
    NavigationManager navigation,
    PanelCircuit circuit)
{
    // Accounts

    public Task<User> GetMeAsync() => RunAsync((s, a) => s.GetRequiredService<AccountsService>().GetAsync(a.UserId, default));

    public Task ChangePasswordAsync(string current, string replacement) => RunAsync(async (s, a) =>
    {
        await s.GetRequiredService<AccountsService>().ChangePasswordAsync(a.UserId, a.SessionId, current, replacement, circuit.ClientAddress, default);
        return true;
    });

    public Task<ActivityPage> MyActivityAsync(int page, int pageSize) =>
        RunAsync((s, a) => ActivityQuery.RunAsync(s.GetRequiredService<BerthDbContext>(), a.UserId, page, pageSize, default));

    // Servers

    public Task<List<ServerView>> ListServersAsync(bool all) =>
        RunAsync((s, a) => s.GetRequiredService<ServersService>().ListAsync(a.UserId, a.IsAdmin, all, default));

    public Task<ServerView> GetServerAsync(long id) => RunAsync((s, a) => s.GetRequiredService<ServersService>().GetAsync(a.UserId, a.IsAdmin, id, default));

    public Task<ServerView> CreateServerAsync(string name) => RunAsync((s, a) => s.GetRequiredService<ServersService>().CreateAsync(a.UserId, name, default));

    public Task<ServerView> RenameServerAsync(long id, string name) =>
        RunAsync((s, a) => s.GetRequiredService<ServersService>().RenameAsync(a.UserId, a.IsAdmin, id, name, default));

    public Task<ServerView> StartServerAsync(long id) => RunAsync((s, a) => s.GetRequiredService<ServersService>().StartAsync(a.UserId, a.IsAdmin, id, default));

    public Task<ServerView> StopServerAsync(long id) => RunAsync((s, a) => s.GetRequiredService<ServersService>().StopAsync(a.UserId, a.IsAdmin, id, default));

    public Task DeleteServerAsync(long id) => RunAsync(async (s, a) =>
    {
        await s.GetRequiredService<ServersService>().DeleteAsync(a.UserId, a.IsAdmin, id, default);
        return true;
    });

    public Task<ServerView> SetLimitsAsync(long id, double? cpus, long? memoryMb, long? pids) => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return s.GetRequiredService<ServersService>().SetLimitsAsync(a.UserId, id, cpus, memoryMb, pids, default);
    });

    /// <summary>The containers inside a server, as the monitor last recorded them.</summary>
    public Task<List<PanelContainer>> ContainersAsync(long serverId) => RunAsync(async (s, a) =>
    {
        // Authorises first: another tenant's server answers like a missing one.
        await s.GetRequiredService<ServersService>().GetAsync(a.UserId, a.IsAdmin, serverId, default);
        var rows = await s.GetRequiredService<BerthDbContext>().DockerContainers.AsNoTracking()
            .Where(c => c.ParentServerId == serverId)
            .Select(c => new { c.Names, c.Image, c.State, c.Status, c.Labels, c.UpdatedAt })
            .ToListAsync();
        return rows
            .Select(c => new PanelContainer(c.Names, c.Image, c.State, c.Status, ServerStacks.LabelValue(c.Labels, ServerStacks.ComposeProjectLabel) ?? "", SeedTime.Parse(c.UpdatedAt)))
            .OrderBy(c => c.Stack, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    });

    /// <summary>A server's usage history; empty when the usage monitor does not run in this process.</summary>
    public Task<IReadOnlyList<UsagePoint>> UsageAsync(long serverId, DateTimeOffset? since) => RunAsync(async (s, a) =>
    {
        await s.GetRequiredService<ServersService>().GetAsync(a.UserId, a.IsAdmin, serverId, default);
        return s.GetService<ServerUsageStore>() is { } store ? await store.GetAsync(serverId, since, default) : (IReadOnlyList<UsagePoint>)[];
    });

    /// <summary>Stacks and recent CPU of the caller's servers, for the list; servers the caller may not see are left out.</summary>
    public Task<Dictionary<long, ServerGlance>> GlanceAsync(IReadOnlyCollection<long> serverIds, DateTimeOffset since) => RunAsync(async (s, a) =>
    {
        var db = s.GetRequiredService<BerthDbContext>();
        var visible = await db.VirtualServers.AsNoTracking()
            .Where(v => serverIds.Contains(v.Id) && !v.Deleted && (a.IsAdmin || v.OwnerId == a.UserId))
            .Select(v => v.Id).ToListAsync();
        var labels = await db.DockerContainers.AsNoTracking()
            .Where(c => visible.Contains(c.ParentServerId))
            .Select(c => new { c.ParentServerId, c.Labels })
            .ToListAsync();
        var stacks = labels
            .Select(c => (c.ParentServerId, Stack: ServerStacks.LabelValue(c.Labels, ServerStacks.ComposeProjectLabel)))
            .Where(c => c.Stack is not null)
            .ToLookup(c => c.ParentServerId, c => c.Stack!);
        var store = s.GetService<ServerUsageStore>();
        var result = new Dictionary<long, ServerGlance>();
        foreach (var id in visible)
        {
            var usage = store is null ? [] : await store.GetAsync(id, since, default);
            result[id] = new ServerGlance(
                stacks[id].Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
                usage.Where(u => u.CpuPercent is not null).Select(u => u.CpuPercent!.Value).ToList());
        }

        return result;
    });

    // Domains

    public Task<List<DomainView>> ListDomainsAsync(long serverId) =>
        RunAsync((s, a) => s.GetRequiredService<DomainsService>().ListAsync(a.UserId, a.IsAdmin, serverId, default));

    public Task<DomainValidation> ValidateDomainAsync(long serverId, string name) =>
        RunAsync((s, a) => s.GetRequiredService<DomainsService>().ValidateAsync(a.UserId, a.IsAdmin, name, serverId, default));

    public Task<DomainView> AddDomainAsync(long serverId, string name, bool ssl, bool isCloudflare, bool originPulls, int targetPort) =>
        RunAsync((s, a) => s.GetRequiredService<DomainsService>().AddAsync(a.UserId, a.IsAdmin, serverId, name, ssl, isCloudflare, originPulls, targetPort, default));

    public Task<DomainView> EditDomainAsync(long serverId, long domainId, string name, bool ssl, bool isCloudflare, bool originPulls, int targetPort) =>
        RunAsync((s, a) => s.GetRequiredService<DomainsService>().EditAsync(a.UserId, a.IsAdmin, serverId, domainId, name, ssl, isCloudflare, originPulls, targetPort, default));

    public Task<DomainView> VerifyDomainAsync(long serverId, long domainId) =>
        RunAsync((s, a) => s.GetRequiredService<DomainsService>().VerifyAsync(a.UserId, a.IsAdmin, serverId, domainId, default));

    public Task DeleteDomainAsync(long serverId, long domainId) => RunAsync(async (s, a) =>
    {
        await s.GetRequiredService<DomainsService>().DeleteAsync(a.UserId, a.IsAdmin, serverId, domainId, default);
        return true;
    });

    // Administration

    public Task<DashboardFigures> DashboardAsync() => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return DashboardFigures.RunAsync(s.GetRequiredService<BerthDbContext>(), default);
    });

    /// <summary>What the virtual servers use together (the API's dashboard <c>host</c>).</summary>
    public Task<HostTotals> HostTotalsAsync() => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return HostTotals.RunAsync(
            s.GetRequiredService<BerthDbContext>(),
            s.GetRequiredService<Microsoft.Extensions.Options.IOptions<MonitorOptions>>().Value,
            s.GetRequiredService<TimeProvider>(),
            default);
    });

    public Task<ActivityPage> RecentActivityAsync(int pageSize) => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return ActivityQuery.RunAsync(s.GetRequiredService<BerthDbContext>(), userId: null, 1, pageSize, default);
    });

    public Task<RegistrationCode?> GetCodeAsync() => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return s.GetRequiredService<RegistrationCodesService>().GetAsync(a.UserId, default);
    });

    public Task<RegistrationCode> GenerateCodeAsync() => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return s.GetRequiredService<RegistrationCodesService>().GenerateAsync(a.UserId, default);
    });

    public Task RevokeCodeAsync() => RunAsync(async (s, a) =>
    {
        EnsureAdmin(a);
        await s.GetRequiredService<RegistrationCodesService>().RevokeAsync(a.UserId, default);
        return true;
    });

    public Task<List<UserSummary>> ListUsersAsync() => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return s.GetRequiredService<UsersService>().ListAsync(default);
    });

    public Task<User> CreateUserAsync(string email, string password, bool admin) => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return s.GetRequiredService<UsersService>().CreateAsync(a.UserId, email, password, admin, default);
    });

    public Task<User> UpdateUserAsync(long userId, UserChanges changes) => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return s.GetRequiredService<UsersService>().UpdateAsync(a.UserId, userId, changes, default);
    });

    /// <summary>How many servers the signed-in user may own: shown before they reach it, not only when a creation is refused.</summary>
    public Task<int> MyQuotaAsync() => RunAsync((s, a) => s.GetRequiredService<ServersService>().GetQuotaAsync(a.UserId, default));

    public Task<int> GetQuotaAsync(long userId) => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return s.GetRequiredService<ServersService>().GetQuotaAsync(userId, default);
    });

    public Task<int> SetQuotaAsync(long userId, int maxServers) => RunAsync((s, a) =>
    {
        EnsureAdmin(a);
        return s.GetRequiredService<ServersService>().SetQuotaAsync(a.UserId, userId, maxServers, default);
    });

    // Files of a server's /apps (the same use cases as the API's /files routes)

    public Task<Core.Files.FolderPage> ListFilesAsync(long serverId, string path, int offset, int limit) =>
        RunAsync((s, a) => s.GetRequiredService<Core.Files.FilesService>().ListAsync(a.UserId, a.IsAdmin, serverId, path, offset, limit, default));

    public Task<Core.Files.TextFile> ReadTextFileAsync(long serverId, string path) =>
        RunAsync((s, a) => s.GetRequiredService<Core.Files.FilesService>().ReadTextAsync(a.UserId, a.IsAdmin, serverId, path, default));

    public Task<Core.Files.TextFile> SaveTextFileAsync(long serverId, string path, string content, string? version) =>
        RunAsync((s, a) => s.GetRequiredService<Core.Files.FilesService>().SaveTextAsync(a.UserId, a.IsAdmin, serverId, path, content, version, default));

    public Task<Core.Files.FileEntry> CreateFolderAsync(long serverId, string path) =>
        RunAsync((s, a) => s.GetRequiredService<Core.Files.FilesService>().CreateFolderAsync(a.UserId, a.IsAdmin, serverId, path, default));

    public Task<Core.Files.FileEntry> CreateFileAsync(long serverId, string path) =>
        RunAsync((s, a) => s.GetRequiredService<Core.Files.FilesService>().CreateFileAsync(a.UserId, a.IsAdmin, serverId, path, default));

    public Task<Core.Files.FileEntry> MoveFileAsync(long serverId, string from, string to) =>
        RunAsync((s, a) => s.GetRequiredService<Core.Files.FilesService>().MoveAsync(a.UserId, a.IsAdmin, serverId, from, to, default));

    public Task<bool> DeleteFileAsync(long serverId, string path) => RunAsync(async (s, a) =>
    {
        await s.GetRequiredService<Core.Files.FilesService>().DeleteAsync(a.UserId, a.IsAdmin, serverId, path, default);
        return true;
    });

    /// <summary>The live session's actor, or a trip to the sign-in page.</summary>
    public async Task<PanelActor> ActorAsync() => await RunAsync((_, a) => Task.FromResult(a));

    private async Task<T> RunAsync<T>(Func<IServiceProvider, PanelActor, Task<T>> work)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        await using var scope = scopes.CreateAsyncScope();
        var session = user.Identity?.IsAuthenticated == true
            ? await scope.ServiceProvider.GetRequiredService<SessionService>().FindActiveAsync(user.SessionId(), default)
            : null;
        if (session is null)
        {
            navigation.NavigateTo(PanelPaths.SignIn(navigation.ToBaseRelativePath(navigation.Uri) is { Length: > 0 } path ? "/" + path : null), forceLoad: true);
            throw new PanelSessionEndedException();
        }

        return await work(scope.ServiceProvider, new PanelActor(session.UserId, session.SessionId, session.Email, session.Admin));
    }

    private static void EnsureAdmin(PanelActor actor)
    {
        if (!actor.IsAdmin)
        {
            throw Core.Errors.BerthException.Forbidden("FORBIDDEN", "Your account may not do this.");
        }
    }
}
