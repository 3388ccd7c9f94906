using System.Data.Common;

namespace Rapport.Core.Storage;

/// <summary>
/// The storage seam. Features write portable SQL (SQLite 3.35+ and PostgreSQL 15 both accept
/// ON CONFLICT, RETURNING, CTEs and window functions); the few real differences live in
/// <see cref="SqlDialect"/>. One provider per store implements this.
/// </summary>
public interface IDatabase : IAsyncDisposable
{
    SqlDialect Dialect { get; }

    /// <summary>What to show a user: the provider and file or host, never a password.</summary>
    string DisplayName { get; }

    /// <summary>An open connection. Callers dispose it; providers pool.</summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default);
}
