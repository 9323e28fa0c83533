using RecursiveMas.Sandbox;

namespace RecursiveMas.Tests.Support;

/// <summary>A fact that needs python3 on PATH: skipped, saying so, where there is none.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (!PythonSandbox.IsAvailable)
            Skip = "python3 is not on PATH: the sandboxed Python runs cannot be tested on this machine";
    }
}
