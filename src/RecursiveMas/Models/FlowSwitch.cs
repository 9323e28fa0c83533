namespace RecursiveMas.Models;

/// <summary>
/// A switch that is on for the calling code — this thread and the tasks and threads it starts (an
/// <see cref="AsyncLocal{T}"/>, unlike a thread-static) — from <see cref="TurnOn"/> until that scope is disposed;
/// scopes nest. The runtime's "take the other path here" options are such switches, so tests and benchmarks can
/// run both paths side by side in one process.
/// </summary>
internal sealed class FlowSwitch
{
    readonly AsyncLocal<bool> _on = new();

    /// <summary>Whether the calling code is inside a scope that turned the switch on.</summary>
    public bool IsOn => _on.Value;

    /// <summary>Turns the switch on until the returned scope is disposed (which restores what it was).</summary>
    public IDisposable TurnOn() => new Scope(this);

    sealed class Scope : IDisposable
    {
        readonly FlowSwitch _switch;
        readonly bool _before;

        public Scope(FlowSwitch flowSwitch)
        {
            _switch = flowSwitch;
            _before = flowSwitch._on.Value;
            flowSwitch._on.Value = true;
        }

        public void Dispose() => _switch._on.Value = _before;
    }
}
