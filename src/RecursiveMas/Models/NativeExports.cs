using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace RecursiveMas.Models;

/// <summary>
/// Entry points of the native libraries TorchSharp loads (libtorch, its OpenMP, LibTorchSharp) that
/// TorchSharp does not wrap. The first library of <c>libraries</c> that loads and exports every symbol
/// wins; null where none does (another platform's names), and callers then do without.
/// </summary>
internal static class NativeExports
{
    public static IntPtr[]? Find(IReadOnlyList<string> libraries, params string[] symbols)
    {
        using (zeros(1))
        { } // makes TorchSharp load its native libraries first
        foreach (var name in libraries)
        {
            if (!NativeLibrary.TryLoad(name, typeof(Tensor).Assembly, null, out var library))
                continue;
            var addresses = new IntPtr[symbols.Length];
            bool all = true;
            for (int i = 0; i < symbols.Length && all; i++)
                all = NativeLibrary.TryGetExport(library, symbols[i], out addresses[i]);
            if (all)
                return addresses;
        }
        return null;
    }
}
