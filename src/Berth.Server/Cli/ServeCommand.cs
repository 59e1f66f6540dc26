using System.CommandLine;
using Berth.Core.Accounts;
using Berth.Core.Data;
using Berth.Core.Servers;
using Berth.Server.Hosting;

namespace Berth.Server.Cli;

internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = $"Addresses of the panel and API. Env: BERTH_URLS. Default: {ServeSettings.DefaultUrls}" };
        var adminPassword = new Option<string?>("--admin-password")
        {
            Description = "Password for admin@admin.com when the users table is empty (otherwise a random one is printed). Env: BERTH_ADMIN_PASSWORD",
        };
        var dockerHost = new Option<string?>("--docker-host") { Description = $"Host Docker engine for virtual servers. Env: BERTH_DOCKER_HOST. Default: {ServeSettings.DefaultDockerHost}" };
        var runtimeProfile = new Option<string?>("--runtime-profile") { Description = "Isolation of virtual servers: auto (default), sysbox, privileged or caps. Env: BERTH_RUNTIME_PROFILE" };
        var serverImage = new Option<string?>("--server-image") { Description = "Image of new virtual servers instead of the built one (berth image build). Env: BERTH_SERVER_IMAGE" };
        var edgeHttp = new Option<string?>("--edge-http") { Description = $"Plain HTTP listeners of the edge, separated by ';'. Env: BERTH_EDGE_HTTP. Default: {EdgeSettings.DefaultHttpUrls}" };
        var edgeHttps = new Option<string?>("--edge-https") { Description = $"HTTPS listeners of the edge, separated by ';'. Env: BERTH_EDGE_HTTPS. Default: {EdgeSettings.DefaultHttpsUrls}" };
        var appsDomain = new Option<string?>("--apps-domain") { Description = "Domain under which <label>.<apps domain> names need no DNS of their own. Env: BERTH_APPS_DOMAIN" };
        var controlHost = new Option<string?>("--control-host") { Description = "Host name of the panel and API; reserved, never a tenant's domain. Env: BERTH_CONTROL_HOST" };
        var cloudflareRanges = new Option<string?>("--cloudflare-ranges") { Description = "File of Cloudflare's address ranges (one CIDR a line). Env: BERTH_CLOUDFLARE_RANGES. Default: the published list shipped with Berth" };
        var originPullCa = new Option<string?>("--cloudflare-origin-pull-ca")
        {
            Description = "PEM file of the CA certificates of Cloudflare's Authenticated Origin Pulls; lets domains require them. Env: BERTH_CLOUDFLARE_ORIGIN_PULL_CA",
        };
        var acmeDirectory = new Option<string?>("--acme-directory") { Description = $"ACME directory of the certificate authority, or none to order no certificates. Env: BERTH_ACME_DIRECTORY. Default: {EdgeSettings.DefaultAcmeDirectory}, or none when every edge listener is on a loopback address" };
        var acmeEmail = new Option<string?>("--acme-email") { Description = "Contact address given to the certificate authority. Env: BERTH_ACME_EMAIL" };
        var acmeTrustRoot = new Option<string?>("--acme-trust-root") { Description = "PEM file of an extra root to trust when talking to the ACME server (e.g. Pebble's). Env: BERTH_ACME_TRUST_ROOT" };
        var edgeMaxConnections = new Option<string?>("--edge-max-connections") { Description = $"Most client connections the edge holds at once, or none. Env: BERTH_EDGE_MAX_CONNECTIONS. Default: {EdgeSettings.Defaults.MaxConcurrentConnections}" };
        var edgeMaxPerClient = new Option<string?>("--edge-max-connections-per-client") { Description = $"Most connections from one client address (Cloudflare's not counted), or none. Env: BERTH_EDGE_MAX_CONNECTIONS_PER_CLIENT. Default: {EdgeSettings.Defaults.MaxConnectionsPerClient}" };
        var edgeMaxOrigin = new Option<string?>("--edge-max-origin-connections") { Description = $"Most connections the edge opens to one virtual server; requests beyond wait briefly, then get 503. Env: BERTH_EDGE_MAX_ORIGIN_CONNECTIONS. Default: {EdgeSettings.Defaults.MaxConnectionsPerOrigin}" };
        var edgeMaxBody = new Option<string?>("--edge-max-body-size") { Description = "Largest request body (bytes, or with k, m or g), or none. Env: BERTH_EDGE_MAX_BODY_SIZE. Default: 1g" };
        var registryMirror = new Option<string?>("--registry-mirror") { Description = "Registry mirror URL written into every virtual server's engine configuration. Env: BERTH_REGISTRY_MIRROR" };
        var hostFirewall = new Option<string?>("--host-firewall") { Description = "on (default) or off: install iptables rules keeping virtual servers off the host's ports. Env: BERTH_HOST_FIREWALL" };
        var privateEgress = new Option<string?>("--block-private-egress") { Description = "on (default) or off: keep virtual servers off private and link-local ranges (cloud metadata, the LAN). Env: BERTH_BLOCK_PRIVATE_EGRESS" };
        var allowedEgress = new Option<string?>("--allowed-egress") { Description = "Comma-separated IPv4 ranges servers may reach in spite of --block-private-egress. Env: BERTH_ALLOWED_EGRESS" };
        var forwardPorts = new Option<string?>("--forward-ports") { Description = "Pool of public ports for TCP port forwards, FIRST-LAST. Env: BERTH_FORWARD_PORTS. Default: 30000-30029" };
        var forwardHost = new Option<string?>("--forward-host") { Description = "Host name users connect to for port forwards (shown as host:port). Env: BERTH_FORWARD_HOST. Default: --control-host, else localhost" };
        var domainVerification = new Option<string?>("--domain-verification")
        {
            Description = "on (default) or off: a name outside the apps domain goes live only once its owner's token is in a _berth-verify TXT record. Env: BERTH_DOMAIN_VERIFICATION",
        };
        var dnsResolver = new Option<string?>("--dns-resolver") { Description = "DNS server (IP[:PORT]) for the domain verification lookups. Env: BERTH_DNS_RESOLVER. Default: the system's" };
        var maxUploadSize = new Option<string?>("--max-upload-size") { Description = "Largest file one upload to a server's /apps may write (bytes, or with k, m or g). Env: BERTH_MAX_UPLOAD_SIZE. Default: 4g" };
        var terminalGrace = new Option<string?>("--terminal-grace-period") { Description = "How long a web terminal whose connection was lost keeps its shell (e.g. 90s, 5m). Env: BERTH_TERMINAL_GRACE_PERIOD. Default: 5m" };
        var terminalIdle = new Option<string?>("--terminal-idle-timeout") { Description = "How long an idle web terminal stays open (e.g. 30m, 2h). Env: BERTH_TERMINAL_IDLE_TIMEOUT. Default: 30m" };
        var sshListen = new Option<string?>("--ssh-listen") { Description = "Address and port of the SSH entry (ssh -p PORT server<id>@host), or off. Env: BERTH_SSH_LISTEN. Default: 127.0.0.1:2222" };
        var ssh = new Option<string?>("--ssh") { Description = "on (default) or off: the SSH entry. Env: BERTH_SSH" };
        var command = new Command("serve", "Run the platform: panel, API, edge and background services.")
        {
            domainVerification, dnsResolver,
            urls, adminPassword, dockerHost, runtimeProfile, serverImage, registryMirror, hostFirewall, privateEgress, allowedEgress,
            edgeHttp, edgeHttps, appsDomain, controlHost, cloudflareRanges, originPullCa, acmeDirectory, acmeEmail, acmeTrustRoot,
            edgeMaxConnections, edgeMaxPerClient, edgeMaxOrigin, edgeMaxBody, maxUploadSize, terminalGrace, terminalIdle, forwardPorts, forwardHost,
            sshListen, ssh,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ServeSettings settings;
            try
            {
                settings = new ServeSettings(
                    GlobalOptions.Resolve(parse),
                    parse.GetValue(urls) ?? Environment.GetEnvironmentVariable("BERTH_URLS") ?? ServeSettings.DefaultUrls,
                    parse.GetValue(adminPassword) ?? Environment.GetEnvironmentVariable("BERTH_ADMIN_PASSWORD"))
                {
                    DockerHost = ServeSettings.ParseDockerHost(parse.GetValue(dockerHost) ?? Environment.GetEnvironmentVariable("BERTH_DOCKER_HOST") ?? ServeSettings.DefaultDockerHost),
                    RuntimeProfile = ServeSettings.ParseRuntimeProfile(parse.GetValue(runtimeProfile) ?? Environment.GetEnvironmentVariable("BERTH_RUNTIME_PROFILE") ?? "auto"),
                    ServerImage = parse.GetValue(serverImage) ?? Environment.GetEnvironmentVariable("BERTH_SERVER_IMAGE"),
                    Edge = ResolveEdge(
                        parse.GetValue(edgeHttp) ?? Environment.GetEnvironmentVariable("BERTH_EDGE_HTTP"),
                        parse.GetValue(edgeHttps) ?? Environment.GetEnvironmentVariable("BERTH_EDGE_HTTPS"),
                        parse.GetValue(appsDomain) ?? Environment.GetEnvironmentVariable("BERTH_APPS_DOMAIN"),
                        parse.GetValue(controlHost) ?? Environment.GetEnvironmentVariable("BERTH_CONTROL_HOST"),
                        parse.GetValue(cloudflareRanges) ?? Environment.GetEnvironmentVariable("BERTH_CLOUDFLARE_RANGES"),
                        parse.GetValue(acmeDirectory) ?? Environment.GetEnvironmentVariable("BERTH_ACME_DIRECTORY"),
                        parse.GetValue(acmeEmail) ?? Environment.GetEnvironmentVariable("BERTH_ACME_EMAIL"),
                        parse.GetValue(acmeTrustRoot) ?? Environment.GetEnvironmentVariable("BERTH_ACME_TRUST_ROOT"),
                        parse.GetValue(edgeMaxConnections) ?? Environment.GetEnvironmentVariable("BERTH_EDGE_MAX_CONNECTIONS"),
                        parse.GetValue(edgeMaxPerClient) ?? Environment.GetEnvironmentVariable("BERTH_EDGE_MAX_CONNECTIONS_PER_CLIENT"),
                        parse.GetValue(edgeMaxOrigin) ?? Environment.GetEnvironmentVariable("BERTH_EDGE_MAX_ORIGIN_CONNECTIONS"),
                        parse.GetValue(edgeMaxBody) ?? Environment.GetEnvironmentVariable("BERTH_EDGE_MAX_BODY_SIZE"),
                        parse.GetValue(originPullCa) ?? Environment.GetEnvironmentVariable("BERTH_CLOUDFLARE_ORIGIN_PULL_CA")) with
                    {
                        DomainVerification = ServeSettings.ParseSwitch(
                            parse.GetValue(domainVerification) ?? Environment.GetEnvironmentVariable("BERTH_DOMAIN_VERIFICATION") ?? "on", "--domain-verification (BERTH_DOMAIN_VERIFICATION)"),
                        DnsResolver = EdgeFeature.ParseDnsResolver(parse.GetValue(dnsResolver) ?? Environment.GetEnvironmentVariable("BERTH_DNS_RESOLVER")),
                    },
                    RegistryMirror = ServeSettings.ParseRegistryMirror(parse.GetValue(registryMirror) ?? Environment.GetEnvironmentVariable("BERTH_REGISTRY_MIRROR")),
                    HostFirewall = ServeSettings.ParseSwitch(parse.GetValue(hostFirewall) ?? Environment.GetEnvironmentVariable("BERTH_HOST_FIREWALL") ?? "on", "--host-firewall (BERTH_HOST_FIREWALL)"),
                    BlockPrivateEgress = ServeSettings.ParseSwitch(parse.GetValue(privateEgress) ?? Environment.GetEnvironmentVariable("BERTH_BLOCK_PRIVATE_EGRESS") ?? "on", "--block-private-egress (BERTH_BLOCK_PRIVATE_EGRESS)"),
                    AllowedEgress = ServeSettings.ParseAllowedEgress(parse.GetValue(allowedEgress) ?? Environment.GetEnvironmentVariable("BERTH_ALLOWED_EGRESS")),
                    MaxUploadSize = ServeSettings.ParseMaxUploadSize(parse.GetValue(maxUploadSize) ?? Environment.GetEnvironmentVariable("BERTH_MAX_UPLOAD_SIZE")),
                    TerminalGracePeriod = ServeSettings.ParseDuration(parse.GetValue(terminalGrace) ?? Environment.GetEnvironmentVariable("BERTH_TERMINAL_GRACE_PERIOD"), "--terminal-grace-period (BERTH_TERMINAL_GRACE_PERIOD)"),
                    TerminalIdleTimeout = ServeSettings.ParseDuration(parse.GetValue(terminalIdle) ?? Environment.GetEnvironmentVariable("BERTH_TERMINAL_IDLE_TIMEOUT"), "--terminal-idle-timeout (BERTH_TERMINAL_IDLE_TIMEOUT)"),
                    ForwardPorts = ServeSettings.ParseForwardPorts(parse.GetValue(forwardPorts) ?? Environment.GetEnvironmentVariable("BERTH_FORWARD_PORTS") ?? "30000-30029"),
                    ForwardHost = ServeSettings.ParseForwardHost(parse.GetValue(forwardHost) ?? Environment.GetEnvironmentVariable("BERTH_FORWARD_HOST")),
                    SshListen = ServeSettings.ParseSwitch(parse.GetValue(ssh) ?? Environment.GetEnvironmentVariable("BERTH_SSH") ?? "on", "--ssh (BERTH_SSH)")
                        ? ServeSettings.ParseSshListen(parse.GetValue(sshListen) ?? Environment.GetEnvironmentVariable("BERTH_SSH_LISTEN") ?? "127.0.0.1:2222")
                        : null,
                };
            }
            catch (SettingsException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"berth: invalid configuration: {e.Message}");
                return BerthCli.InvalidSettings;
            }

            var app = BerthWebApp.Build(settings);
            try
            {
                await StartAsync(app, settings, parse.InvocationConfiguration.Output, cancellationToken);
            }
            catch (SettingsException e)
            {
                // A listener that cannot be bound (a busy port): one line, not a stack trace.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"berth: {e.Message}");
                return BerthCli.InvalidSettings;
            }

            await app.WaitForShutdownAsync(cancellationToken);
            return BerthCli.Ok;
        });
        return command;
    }

    /// <summary>The edge's settings from options or environment; a wrong value names its setting.</summary>
    internal static EdgeSettings ResolveEdge(
        string? http, string? https, string? appsDomain, string? controlHost, string? cloudflareRanges, string? acmeDirectory, string? acmeEmail, string? acmeTrustRoot,
        string? maxConnections = null, string? maxConnectionsPerClient = null, string? maxOriginConnections = null, string? maxBodySize = null,
        string? originPullCa = null)
    {
        var httpUrls = EdgeFeature.ParseListeners(http ?? EdgeSettings.DefaultHttpUrls, "http", "--edge-http (BERTH_EDGE_HTTP)");
        var httpsUrls = EdgeFeature.ParseListeners(https ?? EdgeSettings.DefaultHttpsUrls, "https", "--edge-https (BERTH_EDGE_HTTPS)");
        var directory = EdgeFeature.ResolveAcmeDirectory(
            string.IsNullOrWhiteSpace(acmeDirectory) ? null : acmeDirectory, httpUrls.Concat(httpsUrls), out var loopbackOnly);
        return new()
        {
            HttpUrls = httpUrls,
            HttpsUrls = httpsUrls,
            AppsDomain = string.IsNullOrWhiteSpace(appsDomain) ? null : EdgeFeature.ParseHostName(appsDomain, "--apps-domain (BERTH_APPS_DOMAIN)"),
            ControlHost = string.IsNullOrWhiteSpace(controlHost) ? null : EdgeFeature.ParseHostName(controlHost, "--control-host (BERTH_CONTROL_HOST)"),
            CloudflareRanges = string.IsNullOrWhiteSpace(cloudflareRanges) ? EdgeFeature.PublishedCloudflareRanges() : EdgeFeature.LoadCloudflareRanges(cloudflareRanges),
            AcmeDirectory = directory,
            AcmeOffOnLoopback = loopbackOnly,
            AcmeEmail = string.IsNullOrWhiteSpace(acmeEmail) ? null : EdgeFeature.ParseAcmeEmail(acmeEmail),
            AcmeTrustRoot = string.IsNullOrWhiteSpace(acmeTrustRoot) ? null : EdgeFeature.ParseAcmeTrustRoot(acmeTrustRoot),
            MaxConnections = string.IsNullOrWhiteSpace(maxConnections) ? EdgeSettings.Defaults.MaxConcurrentConnections
                : EdgeFeature.ParseLimit(maxConnections, "--edge-max-connections (BERTH_EDGE_MAX_CONNECTIONS)", 10_000_000),
            MaxConnectionsPerClient = string.IsNullOrWhiteSpace(maxConnectionsPerClient) ? EdgeSettings.Defaults.MaxConnectionsPerClient
                : (int?)EdgeFeature.ParseLimit(maxConnectionsPerClient, "--edge-max-connections-per-client (BERTH_EDGE_MAX_CONNECTIONS_PER_CLIENT)", 10_000_000),
            MaxOriginConnections = string.IsNullOrWhiteSpace(maxOriginConnections) ? EdgeSettings.Defaults.MaxConnectionsPerOrigin
                : (int)EdgeFeature.ParseLimit(maxOriginConnections, "--edge-max-origin-connections (BERTH_EDGE_MAX_ORIGIN_CONNECTIONS)", 1_000_000, noneAllowed: false)!.Value,
            MaxRequestBodySize = string.IsNullOrWhiteSpace(maxBodySize) ? EdgeSettings.Defaults.MaxRequestBodySize
                : EdgeFeature.ParseSize(maxBodySize, "--edge-max-body-size (BERTH_EDGE_MAX_BODY_SIZE)"),
            OriginPullAuthorities = string.IsNullOrWhiteSpace(originPullCa) ? null : EdgeFeature.LoadOriginPullAuthorities(originPullCa),
        };
    }

    /// <summary>The line printed at start when no certificates are ordered because the edge is local only; null otherwise.</summary>
    internal static string? CertificatesNotice(EdgeSettings edge) => edge.AcmeOffOnLoopback
        ? "Certificates: none ordered, the edge listens only on loopback addresses (no certificate authority can reach it). "
            + "Put it on a public address with --edge-http/--edge-https, or name a CA with --acme-directory."
        : null;

    /// <summary>Migrates, creates the first administrator if needed, and starts listening.</summary>
    public static async Task StartAsync(WebApplication app, ServeSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(cancellationToken);
        var profile = await app.Services.ResolveRuntimeProfileAsync(cancellationToken);
        await app.Services.EnsureServersNetworkAsync(cancellationToken);
        PasswordHasher.Warm();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var password = await scope.ServiceProvider.GetRequiredService<AccountsService>()
                .EnsureInitialAdminAsync(settings.AdminPassword, cancellationToken);
            if (password is not null && string.IsNullOrEmpty(settings.AdminPassword))
            {
                await output.WriteLineAsync($"""

                    ================================================================
                     First start: administrator account created.
                       email:    {AccountsService.InitialAdminEmail}
                       password: {password}
                     This password is shown once. Change it after signing in.
                    ================================================================

                    """);
            }
        }

        await app.StartAsync(cancellationToken);
        await output.WriteLineAsync(profile.Notice());
        await output.WriteLineAsync(SshFeature.Notice(app.Services.GetRequiredService<Ssh.SshGateway>().Status));
        if (CertificatesNotice(settings.Edge) is { } notice)
        {
            await output.WriteLineAsync(notice);
        }
    }
}
