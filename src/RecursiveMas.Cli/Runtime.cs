using static TorchSharp.torch;

namespace RecursiveMas.Cli;

/// <summary>Process-wide TorchSharp settings the commands share.</summary>
static class Runtime
{
    public static void ConfigureThreads(int? threads)
    {
        if (threads is int n)
            set_num_threads(n);
    }
}
