using System.Text.RegularExpressions;

namespace Berth.Data.Sqlite;

/// <summary>The statements of <c>SeedSchema.sql</c> (the seed document's DDL), by table and index name.</summary>
public static partial class SeedDdl
{
    private static readonly Lazy<(IReadOnlyDictionary<string, string> Tables, IReadOnlyDictionary<string, string> Indexes)> Parsed =
        new(Parse);

    /// <summary>Each seed table's <c>CREATE TABLE</c> statement, exactly as the seed writes it (no trailing semicolon).</summary>
    public static IReadOnlyDictionary<string, string> Tables => Parsed.Value.Tables;

    /// <summary>Each seed index's <c>CREATE INDEX</c> statement.</summary>
    public static IReadOnlyDictionary<string, string> Indexes => Parsed.Value.Indexes;

    private static (IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>) Parse()
    {
        using var stream = typeof(SeedDdl).Assembly.GetManifestResourceStream("Berth.Data.Sqlite.SeedSchema.sql")
            ?? throw new InvalidOperationException("SeedSchema.sql is not embedded.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();

        var tables = new Dictionary<string, string>(StringComparer.Ordinal);
        var indexes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in text.Split(';'))
        {
            var statement = StripLeadingComments(chunk);
            if (TableName().Match(statement) is { Success: true } table)
            {
                tables[table.Groups[1].Value] = statement;
            }
            else if (IndexName().Match(statement) is { Success: true } index)
            {
                indexes[index.Groups[1].Value] = statement;
            }
        }

        return (tables, indexes);
    }

    private static string StripLeadingComments(string chunk)
    {
        var lines = chunk.Split('\n').SkipWhile(l => l.Trim().Length == 0 || l.TrimStart().StartsWith("--", StringComparison.Ordinal));
        return string.Join('\n', lines).TrimEnd();
    }

    [GeneratedRegex(@"^CREATE TABLE (\w+) \(")]
    private static partial Regex TableName();

    [GeneratedRegex(@"^CREATE INDEX (\w+) ON ")]
    private static partial Regex IndexName();
}
