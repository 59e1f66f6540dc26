using Berth.Core.Data;
using Berth.Core.Errors;

namespace Berth.Server.Api.Contracts;

/// <summary>Checks shared by the request contracts: fields are nullable so a missing one gets a named 400, not a binder error.</summary>
internal static class Fields
{
    public static string Required(string? value, string name) =>
        value ?? throw BerthException.Invalid("MISSING_FIELD", $"The field '{name}' is required.");

    /// <summary>Seed text timestamps become ISO 8601 times; an empty one (never logged in) becomes null.</summary>
    public static DateTimeOffset? Time(string seedText) => SeedTime.Parse(seedText);
}
