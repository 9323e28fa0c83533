namespace RecursiveMas.Cli;

/// <summary>Exit codes of <c>rmas</c> (documented in README.md).</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>An input (model directory, file, option value) is missing or malformed; the message says which.</summary>
    public const int InvalidInput = 1;

    /// <summary>The command line itself is wrong (unknown command or option, missing value).</summary>
    public const int Usage = 2;

    /// <summary>The cluster failed a question (a silo died with no replica left, no silo serves an agent, silos serve another system); the message names the silo.</summary>
    public const int ClusterFailure = 3;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Cancelled = 130;

    /// <summary>A bug: an unexpected exception. Run again with --verbose and report the stack trace.</summary>
    public const int InternalError = 70;
}
