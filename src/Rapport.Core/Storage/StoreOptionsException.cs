namespace Rapport.Core.Storage;

/// <summary>
/// The <c>--store</c> option or <c>Rapport__Store</c> setting is unusable. The message says what
/// was wrong and what a valid value looks like; the CLI prints it and exits with code 2 (usage).
/// An <see cref="ArgumentException"/> because the CLI already maps those to exit code 2.
/// </summary>
public sealed class StoreOptionsException : ArgumentException
{
    public StoreOptionsException(string message)
        : base(message)
    {
    }

    public StoreOptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
