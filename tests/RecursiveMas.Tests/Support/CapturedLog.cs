using Microsoft.Extensions.Logging;

namespace RecursiveMas.Tests.Support;

/// <summary>A logger provider that keeps every message with its exception text, for tests that read what a server logged.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    sealed class Logger(CapturedLog log) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            lock (log._lines)
                log._lines.Add($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
        }
    }
}
