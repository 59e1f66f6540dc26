using Berth.Core.Accounts;

namespace Berth.Server.Api.Contracts;

/// <summary>A new account; <c>enabled</c> (default true) false creates it disabled.</summary>
public sealed record CreateUserRequest(string? Email, string? Password, bool? Admin, bool? Enabled);

public sealed record UpdateUserRequest(string? Email, string? Password, bool? Admin, bool? Enabled);

/// <summary>One row of the seed's query 4.1.</summary>
public sealed record UserSummaryResponse(long Id, string Email, int ServerCount, bool Admin, bool Enabled, DateTimeOffset? LastSeen)
{
    public static UserSummaryResponse From(UserSummary user) =>
        new(user.Id, user.Email, user.ServerCount, user.Admin, user.Enabled, Fields.Time(user.LastSeen));
}

public sealed record UserResponse(long Id, string Email, bool Admin, bool Enabled, DateTimeOffset? LastLogin)
{
    public static UserResponse From(User user) => new(user.Id, user.Email, user.IsAdmin, user.Enabled, Fields.Time(user.LastLogin));
}

public sealed record OwnedServerResponse(long Id, string Name, bool Enabled);

public sealed record UserDetailsResponse(long Id, string Email, bool Admin, bool Enabled, DateTimeOffset? LastLogin, int ServerCount, IReadOnlyList<OwnedServerResponse> Servers)
{
    public static UserDetailsResponse From(UserDetails details) => new(
        details.User.Id,
        details.User.Email,
        details.User.IsAdmin,
        details.User.Enabled,
        Fields.Time(details.User.LastLogin),
        details.ServerCount,
        details.Servers.Select(s => new OwnedServerResponse(s.Id, s.Name, s.Enabled)).ToList());
}
