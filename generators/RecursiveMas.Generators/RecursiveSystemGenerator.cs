using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RecursiveMas.Dsl;
using RecursiveMas.Dsl.Roslyn;
using RecursiveMas.Generators.Emit;
using RecursiveMas.Generators.Model;
using RecursiveMas.Generators.Parsing;

namespace RecursiveMas.Generators;

/// <summary>
/// The DSL's source generator. For every <c>[RecursiveSystem]</c> class it emits <c>&lt;System&gt;.g.cs</c>:
/// typed inner and outer links with their static dims, <c>Load</c>, <c>Solve</c>/<c>SolveBatch</c> as
/// straight-line code over the declared rounds with fused link calls, and the <c>Graph</c>. For every
/// <c>[Agent]</c> class it emits the declaration as constants. Invalid declarations get no code; the
/// analyzers report why.
/// </summary>
/// <remarks>
/// Pipeline: <c>ForAttributeWithMetadataName</c> → symbol-free <see cref="SystemSpec"/>/<see cref="AgentSpec"/>
/// (the shared model the analyzers and the runtime use) → combined with the collected config.json files →
/// value-equatable generation specs → the one <see cref="Emitter"/>. Every step is named (<see cref="StepNames"/>)
/// so tests can check that an unrelated edit leaves it cached.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class RecursiveSystemGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // The config.json files among AdditionalFiles, as (path, text) values: the hidden sizes the
        // typed links are sized with. Collected once; equal texts keep everything downstream cached.
        var configs = context.AdditionalTextsProvider
            .Where(static file => ConfigJsonIndex.IsConfigFile(file.Path))
            .Select(static (file, ct) => new ConfigFileText(file.Path, file.GetText(ct)?.ToString()))
            .Collect()
            .Select(static (files, _) => files.OrderBy(f => f.Path, System.StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(StepNames.ConfigFiles);

        // Systems: the attributes read into the shared, symbol-free spec (no config yet: a syntax
        // transform cannot see additional files). Only this step touches symbols.
        var systems = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                DslSymbols.RecursiveSystemAttribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                static (ctx, ct) => DslSymbols.Create(ctx.SemanticModel.Compilation) is { } symbols
                    ? new SpecExtractor(symbols, ConfigApplier.Index(EquatableArray<ConfigFileText>.Empty)).ExtractSystem((INamedTypeSymbol)ctx.TargetSymbol, cancellationToken: ct)
                    : null)
            .Where(static spec => spec is not null)
            .WithTrackingName(StepNames.ExtractSystems);

        // Configs applied, rules checked, the run unrolled: everything the emitter needs, as values.
        var plans = systems
            .Combine(configs)
            .Select(static (pair, _) => SystemPlanner.Plan(ConfigApplier.Apply(pair.Left!, ConfigApplier.Index(pair.Right))))
            .Where(static plan => plan is not null)
            .WithTrackingName(StepNames.PlanSystems);

        // Agents: their declarations as constants, on partial classes of this compilation only.
        var agents = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                DslSymbols.AgentAttribute,
                static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                // A class that is also a [RecursiveSystem] (RMAS0015) gets no agent file: two files of one hint name failed
                // the generator (CS8785) and took every generated file of the project with it.
                static (ctx, ct) => DslSymbols.Create(ctx.SemanticModel.Compilation) is { } symbols
                    && !ctx.TargetSymbol.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, symbols.RecursiveSystem))
                    ? new SpecExtractor(symbols, ConfigApplier.Index(EquatableArray<ConfigFileText>.Empty)).ExtractAgent((INamedTypeSymbol)ctx.TargetSymbol, ct)
                    : null)
            .Where(static spec => spec is not null)
            .WithTrackingName(StepNames.ExtractAgents);

        var agentPlans = agents
            .Combine(configs)
            .Select(static (pair, _) => AgentPlanner.Plan(ConfigApplier.Apply(pair.Left!, ConfigApplier.Index(pair.Right))))
            .Where(static plan => plan.EmitPartial)
            .WithTrackingName(StepNames.PlanAgents);

        // The hint names that clash ignoring case, as AddSource compares them (usually none): those files take a hash of
        // their exact name. Only the names are collected, so an edit that changes no name leaves every output cached.
        var caseClashes = plans.Select(static (plan, _) => plan!.HintName).Collect()
            .Combine(agentPlans.Select(static (plan, _) => Emitter.HintName(plan.Type)).Collect())
            .Select(static (names, _) => HintNames.CaseClashes(names.Left.Concat(names.Right)));

        // Generated code is C# 10: below it nothing is written (RMAS0020 from the analyzers says why), rather than files
        // full of errors that name no cause. Nor where a type in the global namespace hides System, RecursiveMas or
        // TorchSharp from global:: (RMAS0024). The compilation is read for a few names only, and the bool that comes out
        // of it compares equal on an unrelated edit, so every output stays cached.
        var languageSupported = context.ParseOptionsProvider
            .Select(static (options, _) => options is CSharpParseOptions csharp && GeneratedCodeLanguage.Compiles(csharp.LanguageVersion));
        var namespacesVisible = context.CompilationProvider
            .Select(static (compilation, _) => GeneratedCodeNamespaces.HiddenIn(compilation).Count == 0);
        var canEmit = languageSupported.Combine(namespacesVisible).Select(static (pair, _) => pair.Left && pair.Right);

        context.RegisterSourceOutput(plans.Combine(caseClashes).Combine(canEmit), static (output, pair) =>
        {
            if (pair.Right)
            {
                output.AddSource(HintNames.Unique(pair.Left.Left!.HintName, pair.Left.Right), Emitter.EmitSystem(pair.Left.Left));
            }
        });
        context.RegisterSourceOutput(agentPlans.Combine(caseClashes).Combine(canEmit), static (output, pair) =>
        {
            if (pair.Right)
            {
                output.AddSource(HintNames.Unique(Emitter.HintName(pair.Left.Left.Type), pair.Left.Right), Emitter.EmitAgent(pair.Left.Left));
            }
        });
    }
}
