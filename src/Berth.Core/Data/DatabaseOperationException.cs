namespace Berth.Core.Data;

/// <summary>A database operation that cannot run on this provider or configuration, with a message an operator can act on.</summary>
public sealed class DatabaseOperationException(string message) : Exception(message);
