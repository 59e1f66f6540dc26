using System.Data.Common;
using System.Globalization;
using Berth.Core.Data;
using Berth.Core.Settings;
using Microsoft.EntityFrameworkCore;

namespace Berth.Core.Forwards;

/// <summary>
/// Adopts the original platform's forwards once. The seed document does not describe that table, so
/// its shape is assumed (docs/forwards.md): a table <c>hosting_portforward</c> whose columns are matched
/// by name, ignoring case and underscores — the server (<c>VirtualServerID</c>, <c>server_id</c>,
/// <c>virtual_server_id</c>), the public port (<c>PublicPort</c>, <c>external_port</c>, <c>port</c>), the
/// internal port (<c>InternalPort</c>, <c>target_port</c>, <c>container_port</c>), and optionally
/// <c>protocol</c> and <c>description</c>. Rows of deleted or unknown servers, ports taken already,
/// ports out of range and non-TCP rows are skipped. A <c>System_Settings</c> key records that the
/// adoption ran, so a forward deleted later is not adopted again.
/// </summary>
public static class LegacyForwards
{
    public const string LegacyTable = "hosting_portforward";
    public const string DoneKey = "forwards.legacy-adopted";

    private static readonly string[] ServerColumns = ["virtualserverid", "serverid", "virtualserver", "server"];
    private static readonly string[] PublicColumns = ["publicport", "externalport", "hostport", "port"];
    private static readonly string[] InternalColumns = ["internalport", "targetport", "containerport", "privateport"];

    /// <summary>Returns how many forwards were adopted (0 when there is no legacy table or it ran before).</summary>
    public static async Task<int> AdoptAsync(BerthDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (await db.Settings.AnyAsync(s => s.Key == DoneKey, cancellationToken) || !await LegacyTableExistsAsync(db, cancellationToken))
        {
            return 0;
        }

        var rows = await ReadLegacyAsync(db, cancellationToken);
        var now = SeedTime.Now(clock);
        return await db.InWriteTransactionAsync(async ct =>
        {
            var taken = (await db.PortForwards.Select(f => f.PublicPort).ToListAsync(ct)).ToHashSet();
            var live = (await db.VirtualServers.Where(s => !s.Deleted && s.Id != Servers.VirtualServer.HostId).Select(s => s.Id).ToListAsync(ct)).ToHashSet();
            var adopted = 0;
            foreach (var row in rows)
            {
                if (!live.Contains(row.ServerId) || row.PublicPort is < 1 or > 65535 || row.InternalPort is < 1 or > 65535
                    || !string.Equals(row.Protocol ?? ForwardRules.Tcp, ForwardRules.Tcp, StringComparison.OrdinalIgnoreCase) || !taken.Add(row.PublicPort))
                {
                    continue;
                }

                var description = new string((row.Description ?? "").Where(c => !char.IsControl(c)).ToArray()).Trim();
                db.PortForwards.Add(new PortForward
                {
                    VirtualServerId = row.ServerId,
                    PublicPort = row.PublicPort,
                    InternalPort = row.InternalPort,
                    Protocol = ForwardRules.Tcp,
                    Description = description.Length > ForwardRules.DescriptionMaxLength ? description[..ForwardRules.DescriptionMaxLength] : description,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
                adopted++;
            }

            db.Settings.Add(new SystemSetting { Key = DoneKey, Value = adopted.ToString(CultureInfo.InvariantCulture), UpdatedAt = now });
            await db.SaveChangesAsync(ct);
            return adopted;
        }, cancellationToken);
    }

    private sealed record LegacyRow(long ServerId, int PublicPort, int InternalPort, string? Protocol, string? Description);

    private static async Task<bool> LegacyTableExistsAsync(BerthDbContext db, CancellationToken cancellationToken)
    {
        var sql = db.Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND lower(name) = 'hosting_portforward'"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE lower(table_name) = 'hosting_portforward' AND table_schema = current_schema()";
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<List<LegacyRow>> ReadLegacyAsync(BerthDbContext db, CancellationToken cancellationToken)
    {
        var rows = new List<LegacyRow>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            // A fixed name, no user text: the statement is constant.
            command.CommandText = "SELECT * FROM " + LegacyTable;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var columns = Enumerable.Range(0, reader.FieldCount).ToDictionary(i => Normalise(reader.GetName(i)), i => i);
            int? Column(string[] names) => names.Select(n => columns.TryGetValue(n, out var i) ? i : (int?)null).FirstOrDefault(i => i is not null);
            var server = Column(ServerColumns);
            var publicPort = Column(PublicColumns);
            var internalPort = Column(InternalColumns);
            var protocol = Column(["protocol", "proto"]);
            var description = Column(["description", "name", "comment"]);
            if (server is null || publicPort is null || internalPort is null)
            {
                return rows;
            }

            while (await reader.ReadAsync(cancellationToken))
            {
                if (Number(reader, server.Value) is { } s && Number(reader, publicPort.Value) is { } p && Number(reader, internalPort.Value) is { } i)
                {
                    rows.Add(new LegacyRow(s, (int)Math.Clamp(p, 0, 70000), (int)Math.Clamp(i, 0, 70000), Text(reader, protocol), Text(reader, description)));
                }
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return rows;
    }

    private static string Normalise(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static long? Number(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null
        : long.TryParse(Convert.ToString(reader.GetValue(column), CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string? Text(DbDataReader reader, int? column) =>
        column is { } c && !reader.IsDBNull(c) ? Convert.ToString(reader.GetValue(c), CultureInfo.InvariantCulture) : null;
}
