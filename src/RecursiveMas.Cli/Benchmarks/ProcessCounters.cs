using System.Diagnostics;
using System.Globalization;

namespace RecursiveMas.Cli.Benchmarks;

/// <summary>
/// What a suite cost the process besides its own figures: minor page faults (a page touched for the first
/// time since the OS handed it over: Linux's /proc/self/stat, absent elsewhere) and CPU time in user and
/// system mode. Read before and after a suite, so its JSON says how much of the run went to faulting in
/// memory (see <see cref="RecursiveMas.Models.NativeHeap"/>).
/// </summary>
readonly record struct ProcessCounters(long? MinorFaults, double UserSeconds, double SystemSeconds)
{
    public static ProcessCounters Read()
    {
        using var process = Process.GetCurrentProcess();
        return new ProcessCounters(MinorFaultsSoFar(), process.UserProcessorTime.TotalSeconds, process.PrivilegedProcessorTime.TotalSeconds);
    }

    public ProcessCounters Since(ProcessCounters start) =>
        new(MinorFaults - start.MinorFaults, UserSeconds - start.UserSeconds, SystemSeconds - start.SystemSeconds);

    /// <summary>The tenth field of /proc/self/stat (after the command name, which may hold spaces, in parentheses).</summary>
    static long? MinorFaultsSoFar()
    {
        try
        {
            if (!File.Exists("/proc/self/stat"))
                return null;
            string stat = File.ReadAllText("/proc/self/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[7], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
