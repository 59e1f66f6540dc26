using Berth.Core.Accounts;
using Berth.Server.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Berth.Server.Components.Panel;

/// <summary>
/// Re-checks a live panel connection's session against the database, so that signing out
/// elsewhere, a password change or a disabled account also ends pages that stay open.
/// Every action of the panel checks the session as well (<see cref="PanelData"/>).
/// </summary>
internal sealed class PanelAuthenticationStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopes)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(30);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        await using var scope = scopes.CreateAsyncScope();
        var session = await scope.ServiceProvider.GetRequiredService<SessionService>().FindActiveAsync(user.SessionId(), cancellationToken);
        return session is not null && session.Admin == user.IsInRole(CurrentUser.AdminRole);
    }
}
