using System.Linq.Expressions;

namespace Berth.Core.Accounts;

internal static class UserQueries
{
    /// <summary>
    /// Matches a normalised email against stored ones case-insensitively: Berth stores emails
    /// lower-cased, but rows adopted from the original platform may not be.
    /// </summary>
    public static Expression<Func<User, bool>> HasEmail(string normalizedEmail) =>
#pragma warning disable CA1304, CA1311, CA1862 // Translated to SQL lower(); no .NET culture is involved.
        u => u.Email.ToLower() == normalizedEmail;
#pragma warning restore CA1304, CA1311, CA1862
}
