namespace Rapport.Core.Storage;

/// <summary>The two stores Rapport runs on, with the same schema and the same behaviour.</summary>
public enum StoreKind
{
    /// <summary>An embedded SQLite file in WAL mode: the default, nothing to install.</summary>
    Sqlite,

    /// <summary>PostgreSQL 15+: the production store, for several nodes or large data.</summary>
    Postgres,
}
