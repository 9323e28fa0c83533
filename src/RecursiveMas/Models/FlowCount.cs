namespace RecursiveMas.Models;

/// <summary>
/// Counts something the calling code (this thread and what it starts) does, inside the scope <see cref="Start"/>
/// returns; scopes nest, the innermost counting. Tests read it to show that a path ran.
/// </summary>
internal sealed class FlowCount
{
    readonly AsyncLocal<Scope?> _current = new();

    /// <summary>Starts counting for the calling code until the returned scope is disposed.</summary>
    public Scope Start() => new(this);

    /// <summary>Adds <paramref name="amount"/> to the calling code's current scope, if any.</summary>
    public void Add(long amount)
    {
        if (_current.Value is { } scope)
            scope.Total += amount;
    }

    internal sealed class Scope : IDisposable
    {
        readonly FlowCount _count;
        readonly Scope? _before;

        public Scope(FlowCount count)
        {
            _count = count;
            _before = count._current.Value;
            count._current.Value = this;
        }

        /// <summary>What was counted inside the scope.</summary>
        public long Total { get; internal set; }

        public void Dispose() => _count._current.Value = _before;
    }
}
