namespace RecursiveMas.BenchmarkData;

/// <summary>The published benchmarks <c>rmas eval --benchmark</c> reads (PAPER §6.1, §7.1).</summary>
public enum Benchmark
{
    /// <summary>HuggingFaceH4/MATH-500: <c>problem</c>, <c>answer</c> (also <c>solution</c>, <c>subject</c>, <c>level</c>, <c>unique_id</c>).</summary>
    Math500,

    /// <summary>AIME 2025/2026 (math-ai/aime25, MathArena/aime_2026, AI-MO/aimo-validation-aime): <c>problem</c> (or <c>question</c>), <c>answer</c>.</summary>
    Aime,

    /// <summary>Idavidrein/gpqa (gpqa_diamond): <c>Question</c>, <c>Correct Answer</c>, <c>Incorrect Answer 1..3</c>; options shuffled by seed.</summary>
    Gpqa,

    /// <summary>MedQA (the released <c>dataset/medqa.json</c>; jind11/MedQA layout): <c>question</c>, <c>options</c> {letter: text}, <c>answer_idx</c>.</summary>
    MedQa,

    /// <summary>evalplus/mbppplus: <c>task_id</c>, <c>prompt</c>, <c>test_list</c>, <c>test_imports</c>, <c>test</c>.</summary>
    MbppPlus,

    /// <summary>livecodebench/code_generation_lite: <c>question_content</c>, <c>starter_code</c>, <c>public_test_cases</c>, <c>private_test_cases</c>, <c>metadata</c>.</summary>
    LiveCodeBench,
}

/// <summary>Names and the official generation settings of each <see cref="Benchmark"/>.</summary>
public static class BenchmarkInfo
{
    public static readonly IReadOnlyList<string> Names = ["math500", "aime", "gpqa", "medqa", "mbppplus", "livecodebench"];

    /// <summary>"math500", "aime", "gpqa", "medqa", "mbppplus" or "livecodebench" (case-insensitive).</summary>
    public static Benchmark Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "math500" => Benchmark.Math500,
        "aime" => Benchmark.Aime,
        "gpqa" => Benchmark.Gpqa,
        "medqa" => Benchmark.MedQa,
        "mbppplus" => Benchmark.MbppPlus,
        "livecodebench" => Benchmark.LiveCodeBench,
        _ => throw new ArgumentException($"unknown benchmark \"{name}\"; expected {string.Join(", ", Names)}", nameof(name)),
    };

    public static string Name(this Benchmark benchmark) => Names[(int)benchmark];

    /// <summary>
    /// The paper's maximum generation length (PAPER §6.1): 2000 tokens for MATH500, 16000 for AIME, 4000 for
    /// GPQA, MedQA, LiveCodeBench and MBPP+. (The released run.py uses 1000 for MATH500 with the light system.)
    /// </summary>
    public static int MaxNewTokens(this Benchmark benchmark) => benchmark switch
    {
        Benchmark.Math500 => 2000,
        Benchmark.Aime => 16000,
        _ => 4000,
    };

    /// <summary>The released run.py forces temperature 0.2 for MBPP+ (PAPER §7.1); null: the system's own.</summary>
    public static double? Temperature(this Benchmark benchmark) => benchmark == Benchmark.MbppPlus ? 0.2 : null;

    /// <summary>Time limit of one test run: 10 s per MBPP+ sample, 6 s per LiveCodeBench test (PAPER §7.4).</summary>
    public static TimeSpan TestTimeout(this Benchmark benchmark) =>
        benchmark == Benchmark.LiveCodeBench ? TimeSpan.FromSeconds(6) : TimeSpan.FromSeconds(10);
}
