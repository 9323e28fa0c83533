using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Cli;

/// <summary>Process-wide settings every command applies before it loads a model.</summary>
static class Runtime
{
    /// <summary>
    /// libtorch's thread count where <c>--threads</c> gives one, and the C library's allocator keeping freed
    /// memory for the next tensor (<see cref="NativeHeap.KeepFreedMemory"/>; <c>RMAS_KEEP_FREED_MEMORY=0</c>
    /// leaves it as it was).
    /// </summary>
    public static void Configure(int? threads)
    {
        NativeHeap.KeepFreedMemory();
        if (threads is int n)
            set_num_threads(n);
    }
}
