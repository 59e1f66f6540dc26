namespace Berth.Core.Accounts.Tokens;

/// <summary>
/// What a token may do. <see cref="Read"/> allows safe methods (GET) anywhere a token may go; each
/// other scope allows changes on the routes that name it; <see cref="Admin"/> opens the admin routes,
/// and only while the token's owner is an admin.
/// </summary>
public static class ApiTokenScopes
{
    public const string Read = "read";
    public const string Servers = "servers";
    public const string StacksDeploy = "stacks:deploy";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Read, Servers, StacksDeploy, Admin];
}
