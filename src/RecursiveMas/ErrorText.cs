namespace RecursiveMas;

/// <summary>What an exception says to a user, without what .NET adds to it for a programmer.</summary>
public static class ErrorText
{
    /// <summary>
    /// The message of <paramref name="e"/> as its thrower wrote it: an <see cref="ArgumentException"/> appends
    /// " (Parameter 'x')" — the name of a C# parameter, which means nothing on a command line or over HTTP — and an
    /// <see cref="ArgumentOutOfRangeException"/> the actual value on a line after it; both are cut. Other exceptions'
    /// messages are returned as they are.
    /// </summary>
    public static string Reason(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            int at = message.LastIndexOf($" (Parameter '{name}')", StringComparison.Ordinal);
            if (at >= 0)
                message = message[..at];
        }
        return message.Trim();
    }
}
