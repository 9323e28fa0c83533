using System.Reflection;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RecursiveMas.Benchmarks.Generated;

/// <summary>
/// How long the source generator takes on a 16-agent Sequential system: a full run on a fresh driver,
/// and an incremental run after an edit that does not touch the DSL (what the IDE pays per keystroke).
/// Run: <c>dotnet run -c Release --project tests/RecursiveMas.Benchmarks -- --filter '*GeneratorTime*'</c>.
/// </summary>
[MemoryDiagnoser]
public class GeneratorTimeBenchmarks
{
    const int Agents = 16;

    CSharpCompilation _compilation = null!;
    CSharpCompilation _edited = null!;
    ISourceGenerator _generator = null!;
    GeneratorDriver _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        string path = typeof(GeneratorTimeBenchmarks).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GeneratorAssembly").Value!;
        var type = Assembly.LoadFrom(path).GetType("RecursiveMas.Generators.RecursiveSystemGenerator", throwOnError: true)!;
        _generator = ((IIncrementalGenerator)Activator.CreateInstance(type)!).AsSourceGenerator();

        var source = new System.Text.StringBuilder("using RecursiveMas;\nnamespace Big;\n");
        for (int i = 0; i < Agents; i++)
        {
            string from = i == 0 ? "{feedback}" : $"{{from:A{i - 1}}}";
            source.Append($"[Agent(\"m{i}\", HiddenSize = {64 + 32 * (i % 4)}, LatentSteps = 8)]\n");
            if (i == 0)
                source.Append("[Prompt(\"Start: {question}\", When = PromptUse.FirstRound)]\n[Prompt(\"Again: {question} {feedback}\", When = PromptUse.LaterRounds)]\n");
            else
                source.Append($"[Prompt(\"Step {i}: {from} {{question}}\")]\n");
            source.Append($"public partial class A{i};\n");
        }
        source.Append($"[RecursiveSystem(Rounds = 3)]\n[Sequential({string.Join(", ", Enumerable.Range(0, Agents).Select(i => $"typeof(A{i})"))})]\npublic partial class BigTeam;\n");

        var references = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "").Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var n && (n.StartsWith("System.", StringComparison.Ordinal) || n is "netstandard.dll" or "RecursiveMas.dll" or "TorchSharp.dll"))
            .Select(p => MetadataReference.CreateFromFile(p));
        _compilation = CSharpCompilation.Create("Big", [CSharpSyntaxTree.ParseText(source.ToString()), CSharpSyntaxTree.ParseText("class Other { int x; }")],
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        _edited = _compilation.ReplaceSyntaxTree(_compilation.SyntaxTrees[1], CSharpSyntaxTree.ParseText("class Other { int x; int y; }"));
        _warm = CSharpGeneratorDriver.Create(_generator).RunGenerators(_compilation);
        if (_warm.GetRunResult().GeneratedTrees.Length != Agents + 1)
            throw new InvalidOperationException($"expected {Agents + 1} generated files, got {_warm.GetRunResult().GeneratedTrees.Length}");
    }

    [Benchmark(Baseline = true)]
    public GeneratorDriver FullRun() => CSharpGeneratorDriver.Create(_generator).RunGenerators(_compilation);

    [Benchmark]
    public GeneratorDriver UnrelatedEdit() => _warm.RunGenerators(_edited);
}
