namespace Rapport.Core.Storage;

/// <summary>
/// The <c>--store</c> option or <c>Rapport__Store</c> setting is unusable. The message says what
/// was wrong and what a valid value looks like; the CLI prints it and exits with code 2 (usage).
/// </summary>
public sealed class StoreOptionsException : Exception
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
