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

    /// <summary>
    /// An open connection for a bulk recomputation's reads: only cursors
    /// (<see cref="SqlDialect.OpenCursor"/>, no commands, no transaction), used by one thread at a
    /// time, disposed by the caller. Each cursor reads its own snapshot, so callers read while the
    /// single writer is held (nothing commits between their queries). Providers may make it
    /// cheaper than <see cref="OpenAsync"/>: SQLite opens it without its per-call mutex.
    /// </summary>
    Task<DbConnection> OpenBulkReaderAsync(CancellationToken cancellationToken = default) => OpenAsync(cancellationToken);
}
