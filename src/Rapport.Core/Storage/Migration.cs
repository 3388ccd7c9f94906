namespace Rapport.Core.Storage;

/// <summary>
/// One schema step. Versions are global and ordered; each feature owns its steps
/// (see <see cref="Schema"/>). Statements are separated by ';' at line ends and may use the
/// dialect tokens of <see cref="SqlDialect.Ddl"/>.
/// </summary>
public sealed record Migration(int Version, string Name, string Sql);
