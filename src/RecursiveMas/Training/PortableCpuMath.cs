using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace RecursiveMas.Training;

/// <summary>
/// Makes libtorch compute the same bits on every x86-64 CPU with AVX2 and FMA, so a seeded training run
/// (<c>rmas zoo --portable</c>) writes the same files on an AVX2-only machine as on one with AVX-512. libtorch picks its
/// vector code by the CPU it finds: ATen's element-wise and reduction kernels (and the random-number fill
/// that initializes weights) come in a default, an AVX2 and an AVX-512 build, and MKL's matrix products take
/// another path per instruction set, each summing in its own order. Both can be told which path to take,
/// once per process, before their first use: <c>ATEN_CPU_CAPABILITY=avx2</c> and MKL's conditional numerical
/// reproducibility, <c>MKL_CBWR=AVX2,STRICT</c> (results independent of the CPU within AVX2 machines and of
/// memory alignment). Measured on an AVX2 machine with <c>rmas zoo --tiny</c>: <c>ATEN_CPU_CAPABILITY=default</c>
/// and <c>MKL_CBWR=COMPATIBLE</c> each change the weights written, so both settings reach the code that trains.
/// </summary>
/// <remarks>
/// Process-wide and read once by libtorch, so only a process's entry point can pin them: <c>rmas</c> does for
/// <c>zoo --portable</c> before anything loads libtorch. Not the default: the shipped zoo was written unpinned on an
/// AVX-512 CPU, and a pinned full-size run writes other weights (examples/zoo/README.md, "Regenerating it"). A variable the operator set is left as it is (their choice
/// wins, and the run then writes that choice's bits). The cost is speed on AVX-512 machines, where libtorch's
/// products run the narrower path; inference does not go through these kernels for its products (the
/// runtime's own CPU kernels pick their path themselves), so only training pays it.
/// </remarks>
public static unsafe class PortableCpuMath
{
    /// <summary>The variables and the values <see cref="Pin"/> gives them.</summary>
    public static readonly IReadOnlyList<(string Name, string Value)> Settings =
    [
        ("ATEN_CPU_CAPABILITY", "avx2"),
        ("MKL_CBWR", "AVX2,STRICT"),
    ];

    /// <summary>
    /// Sets each of <see cref="Settings"/> the process environment does not already hold, in the C library's
    /// environment (which libtorch reads; .NET's own environment on Unix is a copy that native code never
    /// sees). Returns whether the settings are in force for this process: true when every variable holds
    /// <see cref="Settings"/>' value and libtorch was not loaded yet (it reads them on first use); false on a
    /// CPU without AVX2 and FMA (libtorch would fall back to its default path there, whose bits differ
    /// anyway), off Linux, when the operator set another value, or when libtorch was already loaded.
    /// </summary>
    public static bool Pin()
    {
        InForce = PinSettings();
        return InForce;
    }

    /// <summary>Whether the last <see cref="Pin"/> put the settings in force (false when it never ran).</summary>
    public static bool InForce { get; private set; }

    static bool PinSettings()
    {
        if (!OperatingSystem.IsLinux() || !Avx2.IsSupported || !Fma.IsSupported)
            return false;
        if (!NativeLibrary.TryLoad("libc.so.6", out var libc) || !NativeLibrary.TryGetExport(libc, "setenv", out var address))
            return false;
        bool loadedAlready = LibtorchLoaded();
        var setenv = (delegate* unmanaged<byte*, byte*, int, int>)address;
        bool inForce = !loadedAlready;
        foreach (var (name, value) in Settings)
        {
            string? set = Environment.GetEnvironmentVariable(name);
            if (set is null)
            {
                var nameBytes = Utf8z(name);
                var valueBytes = Utf8z(value);
                fixed (byte* n = nameBytes, v = valueBytes)
                    inForce &= setenv(n, v, 0) == 0;
                // Keep .NET's copy in step, so child processes and later readers see what libtorch sees.
                Environment.SetEnvironmentVariable(name, value);
            }
            else
            {
                inForce &= set == value;
            }
        }
        return inForce;
    }

    static byte[] Utf8z(string text) => System.Text.Encoding.UTF8.GetBytes(text + "\0");

    // libtorch's CPU library mapped into this process means ATen or MKL may have read their settings already.
    static bool LibtorchLoaded()
    {
        try
        {
            return File.ReadLines("/proc/self/maps").Any(line => line.Contains("libtorch_cpu", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return true; // cannot tell: do not claim the settings took
        }
    }
}
