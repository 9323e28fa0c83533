using System.Runtime.InteropServices;

namespace RecursiveMas.Models;

/// <summary>
/// How the C library's allocator, which libtorch allocates every CPU tensor from, treats freed memory. A
/// server or batched evaluation allocates and frees tensors of a few megabytes hundreds of times a second;
/// glibc's defaults hand much of that memory back to the OS as it is freed (blocks above its mapping
/// threshold are unmapped, and a heap's free top is trimmed), so the next tensor of that size touches fresh
/// pages, and every 4 KB page costs a fault on its first write (≈ 8 µs on the VM the README's figures come
/// from). Measured by <c>rmas bench --suite serving</c> (its <c>process</c> field), the same build with and
/// without: 1.2–1.6 million minor faults and 11.5–12.4 s of system time with glibc's defaults, 179,000–201,000
/// and 2.3–2.8 s with <see cref="KeepFreedMemory"/>, and 1.2–2× the throughput at 16 and 32 clients.
/// </summary>
/// <remarks>
/// Process-wide, so a library never calls it on its own: <c>rmas</c> does at start for every command, and
/// an application embedding the runtime may — best before its first tensor, as it needs no TorchSharp. The cost is memory: freed memory stays with the process for
/// the next tensor (up to <see cref="TrimThresholdBytes"/> free at a heap's top before glibc trims), so the
/// resident size stays near its peak rather than falling between batches. Blocks larger than one thread
/// heap (64 MB) allocated off the main thread may still come fresh (glibc then starts a new heap for them).
/// </remarks>
public static unsafe class NativeHeap
{
    // mallopt's parameter numbers (malloc.h).
    const int TrimThreshold = -1, TopPad = -2, MmapMax = -4;

    /// <summary>Free memory a heap's top may hold before glibc gives it back to the OS.</summary>
    public const int TrimThresholdBytes = 512 << 20;

    /// <summary>How much more than asked glibc takes from the OS when a heap grows.</summary>
    public const int TopPadBytes = 64 << 20;

    /// <summary>Set to <c>0</c> to leave the C library's allocator as it was (see <see cref="KeepFreedMemory"/>).</summary>
    public const string EnvironmentVariable = "RMAS_KEEP_FREED_MEMORY";

    static readonly object s_gate = new();
    static bool s_kept;

    /// <summary>Whether <see cref="KeepFreedMemory"/> has put its settings in force in this process.</summary>
    public static bool Keeping
    {
        get
        {
            lock (s_gate)
                return s_kept;
        }
    }

    /// <summary>
    /// Makes glibc keep freed memory for the next allocation: no block gets its own mapping (so none is
    /// unmapped on free), and a heap's free top is trimmed only above <see cref="TrimThresholdBytes"/>. True
    /// when the settings are in force (now or from an earlier call); false where they do not apply — not
    /// glibc (macOS, Windows, musl), <see cref="EnvironmentVariable"/> set to <c>0</c>, or
    /// <c>GLIBC_TUNABLES</c> already naming malloc settings (the operator's choice wins).
    /// </summary>
    public static bool KeepFreedMemory()
    {
        lock (s_gate)
        {
            if (s_kept)
                return true;
            if (Environment.GetEnvironmentVariable(EnvironmentVariable) == "0"
                || (Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) ?? false)
                || !OperatingSystem.IsLinux()
                || !NativeLibrary.TryLoad("libc.so.6", out var libc) // glibc's name; musl's libc is another
                || !NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _)
                || !NativeLibrary.TryGetExport(libc, "mallopt", out var address))
                return false;
            var mallopt = (delegate* unmanaged<int, int, int>)address;
            // The order matters: setting a trim threshold turns off glibc's adaptive mapping threshold, which
            // would leave every block above 128 KB mapped and unmapped alone until the maximum is set to 0.
            s_kept = mallopt(MmapMax, 0) == 1
                && mallopt(TopPad, TopPadBytes) == 1
                && mallopt(TrimThreshold, TrimThresholdBytes) == 1;
            return s_kept;
        }
    }
}
