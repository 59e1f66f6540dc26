using System.Security.Cryptography;

namespace Berth.Server.Components.Pages.Servers.Stacks;

/// <summary>A starting point for a first stack: a suggested name, a compose file and a <c>.env</c> (made anew each time it is chosen).</summary>
internal sealed record StackTemplate(string Key, string TitleKey, string Name, string Compose, Func<string> Env);

/// <summary>The templates offered when a stack is created.</summary>
internal static class StackTemplates
{
    /// <summary>The image of the static site template (the browser tests give a server a local image under this name).</summary>
    public const string NginxImage = "nginx:alpine";

    public static readonly StackTemplate StaticSite = new(
        "nginx",
        "Stacks.Template.Nginx",
        "site",
        $"""
        # A static site: put its files in the folder site/ next to this file.
        services:
          web:
            image: {NginxImage}
            restart: unless-stopped
            ports:
              - "8080:80"
            volumes:
              - ./site:/usr/share/nginx/html:ro

        """,
        () => "");

    public static readonly StackTemplate WordPress = new(
        "wordpress",
        "Stacks.Template.WordPress",
        "wordpress",
        """
        # WordPress with its MariaDB database; the passwords are in .env.
        services:
          db:
            image: mariadb:11
            restart: unless-stopped
            environment:
              MARIADB_DATABASE: wordpress
              MARIADB_USER: wordpress
              MARIADB_PASSWORD: ${DB_PASSWORD}
              MARIADB_ROOT_PASSWORD: ${DB_ROOT_PASSWORD}
            volumes:
              - db:/var/lib/mysql
          wordpress:
            image: wordpress:6
            restart: unless-stopped
            depends_on:
              - db
            ports:
              - "8081:80"
            environment:
              WORDPRESS_DB_HOST: db
              WORDPRESS_DB_USER: wordpress
              WORDPRESS_DB_PASSWORD: ${DB_PASSWORD}
              WORDPRESS_DB_NAME: wordpress
            volumes:
              - wordpress:/var/www/html
        volumes:
          db:
          wordpress:

        """,
        () => $"DB_PASSWORD={Secret()}\nDB_ROOT_PASSWORD={Secret()}\n");

    public static readonly IReadOnlyList<StackTemplate> All = [StaticSite, WordPress];

    public static StackTemplate? Find(string? key) => All.FirstOrDefault(t => t.Key == key);

    private static string Secret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
