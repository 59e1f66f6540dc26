using Berth.Core.Accounts;

namespace Berth.Server.Api.Contracts;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RegisterRequest(string? Code, string? Email, string? Password);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>The signed-in user, as <c>GET /api/me</c> and the login answer show it.</summary>
public sealed record MeResponse(long Id, string Email, bool Admin, DateTimeOffset? LastLogin)
{
    public static MeResponse From(User user) => new(user.Id, user.Email, user.IsAdmin, Fields.Time(user.LastLogin));
}
