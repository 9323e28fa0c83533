using System.Text.Json;
using RecursiveMas.Cli;
using RecursiveMas.Models;
using RecursiveMas.Tests.Support;

namespace RecursiveMas.Tests.Cli;

public class BenchCommandTests
{
    [Fact]
    public void TheRolloutSuiteReportsCachedVsReferenceSpeedupPerM()
    {
        var (code, output) = CliRunner.Run("bench", "--suite", "rollout", "--quick", "--json");
        Assert.True(code == ExitCodes.Success, output);
        using var json = JsonDocument.Parse(output);
        var speedups = json.RootElement.GetProperty("cached_vs_reference_speedup");
        Assert.Equal(["m4", "m8"], speedups.EnumerateObject().Select(p => p.Name));
        Assert.All(speedups.EnumerateObject(), p => Assert.True(p.Value.GetDouble() > 0));
        // The roofline: measured rates, the floor from the bytes a step reads, and the ratios to them.
        var roofline = json.RootElement.GetProperty("roofline");
        foreach (var name in new[] { "stream_gb_per_second", "matmul_gflop_per_second", "step_bytes", "floor_ms", "step_ms", "step_ms_per_question_batch8", "prefill_gflop_per_second", "batched_prefill_ms", "batched_prefill_gflop_per_second", "batched_prefill_padded_ms", "read_gb_per_second", "read_floor_ms" })
            Assert.True(roofline.GetProperty(name).GetDouble() > 0, name);
        Assert.Equal(roofline.GetProperty("step_ms").GetDouble() / roofline.GetProperty("floor_ms").GetDouble(),
            roofline.GetProperty("step_vs_floor").GetDouble(), 6);
        Assert.Equal(roofline.GetProperty("step_ms").GetDouble() / roofline.GetProperty("read_floor_ms").GetDouble(),
            roofline.GetProperty("step_vs_read_floor").GetDouble(), 6);
    }

    [Fact]
    public void TheClusterSuiteMeasuresAHopAgainstATurnAndThroughputOnOneToThreeSiloProcesses()
    {
        string zoo = Path.Combine(RepositoryRoot.Path, "examples", "zoo", "sequential.SYSTEM.json");
        var (code, output) = CliRunner.Run("bench", "--suite", "cluster", "--quick", "--json", "--system", zoo);
        Assert.True(code == ExitCodes.Success, output);
        using var json = JsonDocument.Parse(output);
        var result = json.RootElement.GetProperty("result");
        var hops = result.GetProperty("hops").EnumerateArray().ToList();
        var paper = hops.Single(h => h.GetProperty("message").GetString() == "paper 32×2560 bf16");
        Assert.Equal(32 * 2560 * 2, paper.GetProperty("bytes").GetInt64());
        Assert.All(hops, h => Assert.True(h.GetProperty("per_hop_ms").GetDouble() > 0));
        var turns = result.GetProperty("turns");
        Assert.True(turns.GetProperty("latent_turn_compute_ms").GetDouble() > 0);
        Assert.Equal(["planner", "critic", "solver"], turns.GetProperty("compute_ms_per_question_by_agent").EnumerateObject().Select(p => p.Name));
        var rows = result.GetProperty("throughput").EnumerateArray().ToList();
        Assert.Equal([("replicas", 1), ("replicas", 2), ("replicas", 3), ("pipeline", 3)],
            rows.Select(r => (r.GetProperty("layout").GetString(), r.GetProperty("silos").GetInt32())));
        Assert.All(rows, r =>
        {
            Assert.True(r.GetProperty("questions_per_second").GetDouble() > 0);
            Assert.True(r.GetProperty("expected_questions_per_second").GetDouble() <= r.GetProperty("expected_without_core_limit").GetDouble() + 1e-9);
        });
        Assert.Contains("core", result.GetProperty("caveat").GetString());
    }

    [Fact]
    public void TheServingSuiteMeasuresClientsOverHttpOnTheBenchAgentsAndTheZoo()
    {
        string zoo = Path.Combine(RepositoryRoot.Path, "examples", "zoo", "sequential.SYSTEM.json");
        var (code, output) = CliRunner.Run("bench", "--suite", "serving", "--quick", "--json", "--system", zoo, "--threads", "1");
        Assert.True(code == ExitCodes.Success, output);
        using var json = JsonDocument.Parse(output);
        var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal([("system-bench", 1), ("system-bench", 4), ("zoo-sequential", 1), ("zoo-sequential", 4)],
            rows.Select(r => (r.GetProperty("system").GetString(), r.GetProperty("clients").GetInt32())));
        Assert.All(rows, r =>
        {
            Assert.True(r.GetProperty("questions_per_second").GetDouble() > 0);
            Assert.True(r.GetProperty("p95_ms").GetDouble() >= r.GetProperty("p50_ms").GetDouble());
            Assert.InRange(r.GetProperty("mean_batch_rows").GetDouble(), 1, r.GetProperty("clients").GetInt32());
            // Good questions never fail a batch's turn: a batch run again row by row would be a bug the figures hide.
            Assert.Equal(0, r.GetProperty("batches_run_alone").GetInt64());
            // --quick measures each level once: its throughput is that one repeat's.
            var repeats = r.GetProperty("repeat_questions_per_second").EnumerateArray().Select(e => e.GetDouble()).ToList();
            Assert.Equal([r.GetProperty("questions_per_second").GetDouble()], repeats);
        });
        // Each system warmed up (every level's load at least once) before it was measured, and says whether the JIT went quiet.
        var warmUps = json.RootElement.GetProperty("warm_up").EnumerateArray().ToList();
        Assert.Equal(["system-bench", "zoo-sequential"], warmUps.Select(w => w.GetProperty("system").GetString()));
        Assert.All(warmUps, w =>
        {
            Assert.InRange(w.GetProperty("passes").GetInt32(), 1, 8);
            Assert.True(w.GetProperty("jit_seconds").GetDouble() >= 0);
            Assert.True(w.GetProperty("quiet").GetBoolean() || w.GetProperty("passes").GetInt32() == 8);
        });
        Assert.Equal(["system-bench/c4", "zoo-sequential/c4"], json.RootElement.GetProperty("throughput_vs_one_client").EnumerateObject().Select(p => p.Name));
        // What one question costs each system: positions read and stepped, their weight FLOPs, the prefill's share.
        var work = json.RootElement.GetProperty("work_per_question").EnumerateArray().ToList();
        Assert.Equal(["system-bench", "zoo-sequential"], work.Select(w => w.GetProperty("system").GetString()));
        Assert.All(work, w =>
        {
            Assert.True(w.GetProperty("prefill_positions").GetInt32() > 0);
            Assert.True(w.GetProperty("latent_steps").GetInt32() > 0);
            Assert.True(w.GetProperty("generated_tokens").GetInt32() > 0);
            double prefill = w.GetProperty("prefill_gflop").GetDouble(), steps = w.GetProperty("step_gflop").GetDouble();
            Assert.Equal(prefill / (prefill + steps), w.GetProperty("prefill_share").GetDouble(), 9);
        });
        // The most batching could give each system: its weight FLOPs per question at the measured matmul peak, and what each level ran at.
        var ceilings = json.RootElement.GetProperty("ceiling").EnumerateArray().ToList();
        Assert.Equal(["system-bench", "zoo-sequential"], ceilings.Select(c => c.GetProperty("system").GetString()));
        Assert.All(ceilings, c =>
        {
            var w = work.Single(w => w.GetProperty("system").GetString() == c.GetProperty("system").GetString());
            double perQuestion = c.GetProperty("gflop_per_question").GetDouble(), matmul = c.GetProperty("matmul_gflop_per_second").GetDouble();
            Assert.Equal(w.GetProperty("prefill_gflop").GetDouble() + w.GetProperty("step_gflop").GetDouble(), perQuestion, 9);
            Assert.True(matmul > 0);
            Assert.Equal(matmul / perQuestion, c.GetProperty("most_questions_per_second").GetDouble(), 9);
            var one = rows.First(r => r.GetProperty("system").GetString() == c.GetProperty("system").GetString());
            Assert.Equal(matmul / perQuestion / one.GetProperty("questions_per_second").GetDouble(), c.GetProperty("ceiling_vs_one_client").GetDouble(), 9);
            Assert.All(rows.Where(r => r.GetProperty("system").GetString() == c.GetProperty("system").GetString()), r =>
                Assert.Equal(r.GetProperty("questions_per_second").GetDouble() * perQuestion, r.GetProperty("weight_gflop_per_second").GetDouble(), 9));
        });
        // What the suite cost the process: CPU time always, page faults where /proc says.
        // Which code the figures measured: the runtime's kernels (and their vector width) or libtorch's.
        Assert.Equal(RecursiveMas.Models.Kernels.CpuLinear.Code, json.RootElement.GetProperty("kernels").GetString());
        Assert.Contains(json.RootElement.GetProperty("kernels").GetString(), new[] { "avx512", "avx2", "libtorch" });
        var process = json.RootElement.GetProperty("process");
        Assert.True(process.GetProperty("user_cpu_seconds").GetDouble() > 0);
        Assert.True(process.GetProperty("system_cpu_seconds").GetDouble() >= 0);
        Assert.Equal(OperatingSystem.IsLinux() ? JsonValueKind.Number : JsonValueKind.Null, process.GetProperty("minor_page_faults").ValueKind);
        if (OperatingSystem.IsLinux())
            Assert.True(process.GetProperty("minor_page_faults").GetInt64() > 0); // the suite loads models and allocates
        Assert.Equal(NativeHeap.Keeping, process.GetProperty("keeps_freed_memory").GetBoolean());
    }

    [Fact]
    public void TheSoakSuiteAnswersGoodRequestsAsAloneAndRefusesEveryBadOneWith4xx()
    {
        string zoo = Path.Combine(RepositoryRoot.Path, "examples", "zoo", "sequential.SYSTEM.json");
        var (code, output) = CliRunner.Run("bench", "--suite", "soak", "--quick", "--json", "--system", zoo, "--requests", "40", "--concurrency", "4", "--threads", "1");
        Assert.True(code == ExitCodes.Success, output);
        using var json = JsonDocument.Parse(output);
        var result = json.RootElement.GetProperty("result");
        Assert.Equal(40, result.GetProperty("requests").GetInt32());
        Assert.Equal(0, result.GetProperty("unexpected").GetInt32());
        Assert.Equal(0, result.GetProperty("answers_differing").GetInt32());
        Assert.Equal(result.GetProperty("good").GetInt32(), result.GetProperty("answers_compared").GetInt32());
        var statuses = result.GetProperty("by_status").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(result.GetProperty("good").GetInt32(), statuses["200"]);
        Assert.Equal(40, statuses.Values.Sum());
        Assert.True(result.GetProperty("rss_end_bytes").GetInt64() > 0);
    }

    [Fact]
    public void TheServingSuiteNamesAMissingSystem()
    {
        var (code, output) = CliRunner.Run("bench", "--suite", "serving", "--quick", "--system", "no-such-system.json");
        Assert.NotEqual(ExitCodes.Success, code);
        Assert.Contains("no-such-system.json", output);
    }

    [Fact]
    public void TheSystemSuiteReportsSpeedupAndTokenReductionPerRoundCount()
    {
        string file = Path.Combine(Path.GetTempPath(), "rmas-bench-" + Guid.NewGuid().ToString("N") + ".json");
        var (code, output) = CliRunner.Run("bench", "--suite", "system", "--quick", "--out", file);
        Assert.True(code == ExitCodes.Success, output);
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        File.Delete(file);
        foreach (var key in new[] { "recursive_vs_text_speedup", "token_reduction" })
            Assert.Equal(["n1", "n2", "n3"], json.RootElement.GetProperty(key).EnumerateObject().Select(p => p.Name));
        // Latent messages replace text messages, so RecursiveMAS generates fewer tokens at every n.
        Assert.All(json.RootElement.GetProperty("token_reduction").EnumerateObject(), p => Assert.True(p.Value.GetDouble() > 0));
    }

    [Fact]
    public void AnUnknownSuiteIsAUsageError() =>
        Assert.Equal(ExitCodes.Usage, CliRunner.Run("bench", "--suite", "everything").ExitCode);
}
