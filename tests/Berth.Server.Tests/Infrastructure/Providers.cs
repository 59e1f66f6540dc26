namespace Berth.Server.Tests.Infrastructure;

/// <summary>The main flows run on every database engine Berth supports.</summary>
public static class Providers
{
    public static TheoryData<ProviderKind> Both => new(ProviderKind.Sqlite, ProviderKind.PostgreSql);
}
