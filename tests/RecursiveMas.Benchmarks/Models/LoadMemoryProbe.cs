using System.Diagnostics;
using RecursiveMas.Models;
using static TorchSharp.torch;

namespace RecursiveMas.Benchmarks.Models;

/// <summary>
/// Peak resident memory while loading a checkpoint, next to the checkpoint's file size and the
/// loaded model's size. Not a BenchmarkDotNet benchmark: peak RSS (VmHWM) is a per-process high
/// water mark, so the load runs in a fresh child process that does nothing else.
/// Run: <c>dotnet run -c Release --project tests/RecursiveMas.Benchmarks -- load-memory</c>.
/// </summary>
public static class LoadMemoryProbe
{
    public static int Run(string[] args)
    {
        if (args.Length >= 2 && args[0] == "load-memory-child")
            return Child(args[1]);

        string dir = Path.Combine(Path.GetTempPath(), "rmas-load-memory-" + Environment.ProcessId);
        try
        {
            foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float32 })
            {
                using (var model = BenchmarkModels.Create(BenchmarkModels.Small100M()))
                    model.SavePretrained(dir, dtype);
                long fileBytes = new FileInfo(Path.Combine(dir, "model.safetensors")).Length;
                var child = Process.Start(ChildStart(dir))!;
                string report = child.StandardOutput.ReadToEnd();
                child.WaitForExit();
                Console.WriteLine($"checkpoint {dtype,-8} file {fileBytes / 1e6,7:F1} MB -> {report.Trim()}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    static ProcessStartInfo ChildStart(string dir)
    {
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(typeof(LoadMemoryProbe).Assembly.Location);
        start.ArgumentList.Add("load-memory-child");
        start.ArgumentList.Add(dir);
        return start;
    }

    static int Child(string dir)
    {
        using (ones(1))
        { } // load the native library before taking the baseline
        long before = PeakResidentBytes();
        var watch = Stopwatch.StartNew();
        using var model = CausalLM.FromPretrained(dir);
        watch.Stop();
        long after = PeakResidentBytes();
        long modelBytes = model.parameters().Sum(p => p.numel() * p.element_size());
        Console.WriteLine($"model (float32) {modelBytes / 1e6:F1} MB, peak RSS growth during load {(after - before) / 1e6:F1} MB " +
            $"({(double)(after - before) / modelBytes:F2}x the model), load time {watch.Elapsed.TotalSeconds:F2} s");
        return 0;
    }

    /// <summary>VmHWM from /proc/self/status (Linux): the peak resident set size so far.</summary>
    static long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        throw new PlatformNotSupportedException("/proc/self/status has no VmHWM");
    }
}
