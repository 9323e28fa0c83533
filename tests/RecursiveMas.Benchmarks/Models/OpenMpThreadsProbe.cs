using System.Diagnostics;
using System.Text.Json;
using RecursiveMas.Serving;
using RecursiveMas.Systems;

namespace RecursiveMas.Benchmarks.Models;

/// <summary>
/// What a second long-lived thread that runs a model costs the batcher: the shipped zoo answers 64 test questions
/// in batches of 4 (<see cref="ContinuousBatcher.SolveMany"/>, which runs them on a thread of its own) three times,
/// then once more three times after one <see cref="RecursiveRunner.Solve"/> on the main thread. GNU OpenMP keeps a
/// team for every thread that ran a parallel region while the thread lives; with more workers than cores it stops
/// spinning between regions, and every region of the batcher's then waits for the kernel to wake its worker.
/// Run: <c>dotnet run -c Release --project tests/RecursiveMas.Benchmarks -- openmp-threads</c> (all cores).
/// </summary>
public static class OpenMpThreadsProbe
{
    public static int Run()
    {
        string system = Path.Combine(RepositoryRoot(), "examples", "zoo", "sequential.SYSTEM.json");
        string data = Path.Combine(Path.GetDirectoryName(system)!, "data", "arithmetic", "test.jsonl");
        string[] questions = [.. File.ReadLines(data).Take(64).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("question").GetString()!)];
        using var zoo = RecursiveSystem.Load(system);
        ContinuousBatcher.SolveMany(zoo, questions, maxBatchSize: 4); // warm-up: JIT, prefix stores

        double[] Times() => [.. Enumerable.Range(0, 3).Select(_ =>
        {
            var watch = Stopwatch.StartNew();
            ContinuousBatcher.SolveMany(zoo, questions, maxBatchSize: 4);
            return watch.Elapsed.TotalSeconds;
        })];

        var batcherOnly = Times();
        RecursiveRunner.Solve(zoo, questions[0]);
        var afterMainThread = Times();
        Console.WriteLine($"64 zoo questions, batches of 4, threads {TorchSharp.torch.get_num_threads()}:");
        Console.WriteLine($"  only the batcher's threads ran models:          {string.Join(", ", batcherOnly.Select(s => s.ToString("F2") + " s"))}");
        Console.WriteLine($"  after one Solve on the main thread (still alive): {string.Join(", ", afterMainThread.Select(s => s.ToString("F2") + " s"))}");
        return 0;
    }

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RecursiveMas.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("run from inside the repository: RecursiveMas.sln not found above " + AppContext.BaseDirectory);
    }
}
