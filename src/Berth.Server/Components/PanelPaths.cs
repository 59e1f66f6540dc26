namespace Berth.Server.Components;

/// <summary>The panel's addresses, in one place for pages, redirects and links.</summary>
internal static class PanelPaths
{
    public const string Home = "/";
    public const string SignInPage = "/signin";
    public const string SignUp = "/signup";
    public const string SignOut = "/signout";
    public const string Account = "/account";
    public const string Dashboard = "/admin";
    public const string Users = "/admin/users";
    public const string AllServers = "/admin/servers";
    public const string Culture = "/culture";

    public static string Server(long id) => $"/servers/{id}";

    public static string SignIn(string? returnUrl) =>
        string.IsNullOrEmpty(returnUrl) || returnUrl == Home ? SignInPage : $"{SignInPage}?returnUrl={Uri.EscapeDataString(returnUrl)}";

    public static string SignUpWith(string code) => $"{SignUp}?code={Uri.EscapeDataString(code)}";

    public static string SetCulture(string culture, string returnUrl) =>
        $"{Culture}?name={Uri.EscapeDataString(culture)}&returnUrl={Uri.EscapeDataString(returnUrl)}";

    /// <summary>Only a path on this site, never another origin (<c>//evil</c>, <c>/\evil</c>, absolute URLs).</summary>
    public static string LocalOrHome(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : Home;
}
