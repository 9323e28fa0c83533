using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace RecursiveMas.Models.Kernels;

/// <summary>
/// libtorch's own OpenMP team, borrowed for the kernels' threads. On a machine with as many threads as
/// cores, a second pool (.NET's) fights libtorch's spinning workers for the cores and runs both slower
/// (measured: a latent step 12 ms with .NET's pool, 6.7 ms on libtorch's team, 17.8 ms libtorch alone).
/// libtorch's CPU build links GNU OpenMP; where its entry points cannot be found, kernels run on the
/// calling thread.
/// </summary>
internal static unsafe class OpenMpTeam
{
    static readonly delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void> Parallel;
    static readonly delegate* unmanaged<int> ThreadNumber;
    static readonly delegate* unmanaged<int> TeamSize;

    static OpenMpTeam()
    {
        // GNU OpenMP's symbols resolve through libtorch_cpu, which links it.
        if (NativeExports.Find(["libtorch_cpu.so"], "GOMP_parallel", "omp_get_thread_num", "omp_get_num_threads") is [var parallel, var number, var size])
        {
            Parallel = (delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void>)parallel;
            ThreadNumber = (delegate* unmanaged<int>)number;
            TeamSize = (delegate* unmanaged<int>)size;
        }
    }

    /// <summary>How many parts to split work of <paramref name="units"/> independent units into: libtorch's thread count, at most one part per unit; 1 without a team.</summary>
    public static int Parts(int units) => Parallel == null ? 1 : Math.Clamp(get_num_threads(), 1, Math.Max(1, units));

    /// <summary>
    /// Calls <paramref name="part"/>(state, p) for every p in [0, parts), on the team when parts &gt; 1. A
    /// team smaller than asked for still covers every part. <paramref name="part"/> must not throw.
    /// </summary>
    public static void Run(delegate*<void*, int, void> part, void* state, int parts)
    {
        if (parts <= 1 || Parallel == null)
        {
            for (int p = 0; p < Math.Max(parts, 1); p++)
                part(state, p);
            return;
        }
        var work = new Work { Part = part, State = state, Parts = parts };
        Parallel(&RunParts, &work, (uint)parts, 0);
    }

    struct Work
    {
        public delegate*<void*, int, void> Part;
        public void* State;
        public int Parts;
    }

    [UnmanagedCallersOnly]
    static void RunParts(void* state)
    {
        var work = (Work*)state;
        for (int p = ThreadNumber(); p < work->Parts; p += TeamSize())
            work->Part(work->State, p);
    }
}
