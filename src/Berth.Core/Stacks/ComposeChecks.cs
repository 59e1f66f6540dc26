using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Core.Stacks;

/// <summary>A host port a compose file publishes, with the line that asks for it.</summary>
public sealed record PublishedPort(int Port, string Protocol, int Line);

/// <summary>What Berth's own reading of a compose file found.</summary>
internal sealed record ComposeReport(bool Parsed, List<StackMessage> Messages, List<PublishedPort> Ports, List<(string Context, int Line)> BuildContexts);

/// <summary>
/// Berth's own checks of a compose file, with line numbers (Compose's own parser, run inside the
/// server, reports most errors without one): YAML syntax, keys Compose does not know, bind mounts
/// that leave <c>/apps</c> or reach the engine's socket, the host ports it publishes and the build
/// contexts it names. The file is only read, never rewritten.
/// </summary>
internal static class ComposeChecks
{
    private static readonly HashSet<string> TopLevelKeys = ["version", "name", "services", "networks", "volumes", "configs", "secrets", "include", "models"];

    private static readonly HashSet<string> ServiceKeys =
    [
        "annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup", "cgroup_parent", "command", "configs",
        "container_name", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime", "cpu_shares",
        "cpus", "cpuset", "credential_spec", "depends_on", "deploy", "develop", "device_cgroup_rules", "devices", "dns", "dns_opt",
        "dns_search", "domainname", "driver_opts", "entrypoint", "env_file", "environment", "expose", "extends", "external_links",
        "extra_hosts", "gpus", "group_add", "healthcheck", "hostname", "image", "init", "ipc", "isolation", "labels", "label_file",
        "links", "logging", "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit", "models",
        "network_mode", "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "ports", "post_start",
        "pre_stop", "privileged", "profiles", "provider", "pull_policy", "pull_refresh_after", "read_only", "restart", "runtime",
        "scale", "secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal", "storage_opt", "sysctls",
        "tmpfs", "tty", "ulimits", "use_api_socket", "user", "userns_mode", "uts", "volumes", "volumes_from", "working_dir",
    ];

    private static readonly string[] EngineSockets = ["/var/run/docker.sock", "/run/docker.sock", "/var/run", "/run"];

    /// <summary>Reads <paramref name="compose"/> as the stack in <paramref name="folderInServer"/> (e.g. <c>/apps/stacks/shop</c>) would.</summary>
    public static ComposeReport Check(string compose, string folderInServer)
    {
        var report = new ComposeReport(false, [], [], []);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(compose));
        }
        catch (YamlException e)
        {
            report.Messages.Add(StackMessage.Fail(Line(e.Start), $"YAML: {Inner(e).Message}"));
            return report;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            report.Messages.Add(StackMessage.Fail(stream.Documents.Count == 0 ? 1 : Line(stream.Documents[0].RootNode.Start), "The compose file must be a mapping with a 'services' key."));
            return report;
        }

        report = report with { Parsed = true };
        foreach (var (key, _) in root.Children)
        {
            if (key is YamlScalarNode { Value: { } name } && !TopLevelKeys.Contains(name) && !name.StartsWith("x-", StringComparison.Ordinal))
            {
                report.Messages.Add(StackMessage.Fail(Line(key.Start), $"Unknown top-level key '{name}'."));
            }
        }

        if (!root.Children.TryGetValue(new YamlScalarNode("services"), out var servicesNode) || servicesNode is not YamlMappingNode services)
        {
            report.Messages.Add(StackMessage.Fail(Line(root.Start), "The compose file has no 'services' mapping."));
            return report;
        }

        foreach (var (nameNode, serviceNode) in services.Children)
        {
            var service = (nameNode as YamlScalarNode)?.Value ?? "?";
            if (serviceNode is not YamlMappingNode body)
            {
                report.Messages.Add(StackMessage.Fail(Line(nameNode.Start), $"Service '{service}' must be a mapping."));
                continue;
            }

            foreach (var (key, value) in body.Children)
            {
                if (key is not YamlScalarNode { Value: { } k })
                {
                    continue;
                }

                if (!ServiceKeys.Contains(k) && !k.StartsWith("x-", StringComparison.Ordinal))
                {
                    report.Messages.Add(StackMessage.Fail(Line(key.Start), $"Service '{service}': unknown key '{k}'."));
                }
                else if (k == "volumes" && value is YamlSequenceNode volumes)
                {
                    CheckVolumes(service, volumes, folderInServer, report.Messages);
                }
                else if (k == "ports" && value is YamlSequenceNode ports)
                {
                    ReadPorts(ports, report.Ports);
                }
                else if (k == "build")
                {
                    var context = value switch
                    {
                        YamlScalarNode s => s,
                        YamlMappingNode m when m.Children.TryGetValue(new YamlScalarNode("context"), out var c) => c as YamlScalarNode,
                        YamlMappingNode => new YamlScalarNode("."),
                        _ => null,
                    };
                    if (context?.Value is { } text)
                    {
                        report.BuildContexts.Add((text, Line(value.Start)));
                    }
                }
            }
        }

        return report;
    }

    /// <summary>Where a path written in the compose file points inside the server (relative to the stack's folder), or null when it cannot be told (variables, home).</summary>
    public static string? Resolve(string path, string folderInServer)
    {
        if (path.Contains('$', StringComparison.Ordinal) || path.StartsWith('~'))
        {
            return null;
        }

        var combined = path.StartsWith('/') ? path : folderInServer + "/" + path;
        var names = new List<string>();
        foreach (var part in combined.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (names.Count > 0)
                {
                    names.RemoveAt(names.Count - 1);
                }

                continue;
            }

            names.Add(part);
        }

        return "/" + string.Join('/', names);
    }

    public static bool IsUnderApps(string resolved) => resolved == "/apps" || resolved.StartsWith("/apps/", StringComparison.Ordinal);

    private static void CheckVolumes(string service, YamlSequenceNode volumes, string folderInServer, List<StackMessage> messages)
    {
        foreach (var volume in volumes)
        {
            string? source = null;
            if (volume is YamlScalarNode { Value: { } shortSyntax })
            {
                var first = shortSyntax.Split(':')[0];
                source = first.StartsWith('/') || first.StartsWith('.') || first.StartsWith('~') ? first : null;
            }
            else if (volume is YamlMappingNode longSyntax
                && longSyntax.Children.TryGetValue(new YamlScalarNode("type"), out var type) && type is YamlScalarNode { Value: "bind" }
                && longSyntax.Children.TryGetValue(new YamlScalarNode("source"), out var s) && s is YamlScalarNode { Value: { } src })
            {
                source = src;
            }

            if (source is null || Resolve(source, folderInServer) is not { } resolved)
            {
                continue;
            }

            if (EngineSockets.Contains(resolved, StringComparer.Ordinal))
            {
                messages.Add(StackMessage.Warn(Line(volume.Start), $"Service '{service}' mounts {resolved}: it reaches the server's Docker engine and can control every container of this server."));
            }
            else if (!IsUnderApps(resolved))
            {
                messages.Add(StackMessage.Warn(Line(volume.Start), $"Service '{service}' mounts {resolved}, outside /apps: those files belong to the server itself, not to your apps."));
            }
        }
    }

    private static void ReadPorts(YamlSequenceNode ports, List<PublishedPort> into)
    {
        foreach (var port in ports)
        {
            if (port is YamlScalarNode { Value: { } text })
            {
                var protocol = "tcp";
                var slash = text.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0)
                {
                    protocol = text[(slash + 1)..];
                    text = text[..slash];
                }

                // [ip:]host:container, where ip may be [v6]; only the host part matters.
                var parts = text.StartsWith('[') && text.IndexOf(']', StringComparison.Ordinal) is var close and > 0
                    ? text[(close + 2)..].Split(':')
                    : text.Split(':');
                if (parts.Length >= 2)
                {
                    AddRange(parts[^2], protocol, Line(port.Start), into);
                }
            }
            else if (port is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("published"), out var published) && published is YamlScalarNode { Value: { } p })
            {
                var protocol = map.Children.TryGetValue(new YamlScalarNode("protocol"), out var proto) && proto is YamlScalarNode { Value: { } pr } ? pr : "tcp";
                AddRange(p, protocol, Line(port.Start), into);
            }
        }
    }

    private static void AddRange(string hostPart, string protocol, int line, List<PublishedPort> into)
    {
        var range = hostPart.Split('-');
        if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var from))
        {
            return;
        }

        var to = from;
        if (range.Length == 2 && !int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out to))
        {
            return;
        }

        for (var p = from; p <= Math.Min(to, from + 1000); p++)
        {
            into.Add(new PublishedPort(p, protocol, line));
        }
    }

    private static int Line(Mark mark) => (int)mark.Line;

    private static YamlException Inner(YamlException e) => e.InnerException is YamlException inner ? inner : e;
}
