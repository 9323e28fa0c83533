using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using RecursiveMas.Dsl;
using RecursiveMas.Dsl.Roslyn;

namespace RecursiveMas.Analyzers;

/// <summary>
/// Reports every RMAS diagnostic. For each class with <c>[Agent]</c> it runs the agent rules; for each
/// class with <c>[RecursiveSystem]</c> (or a pattern, link or decoder attribute) it runs the system
/// rules, reading every agent the system names. The rules themselves are the shared
/// <see cref="AgentValidator"/> and <see cref="SystemValidator"/>, which the source generator uses
/// too; this class only extracts specs and turns problems into located diagnostics.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DslAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The property a HiddenSize diagnostic carries when config.json gives the value (read by the code fix).</summary>
    public const string ConfigHiddenSizeProperty = "ConfigHiddenSize";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            // Resolved once per compilation; a project that does not reference RecursiveMas costs nothing more.
            if (DslSymbols.Create(start.Compilation) is not { } symbols)
            {
                return;
            }

            var cancellationToken = start.CancellationToken;
            var configs = new ConfigJsonIndex(start.Options.AdditionalFiles.Select(file =>
                (file.Path, (Func<string?>)(() => file.GetText(cancellationToken)?.ToString()))));
            var extractor = new SpecExtractor(symbols, configs);
            var helpLinks = HelpLinks.From(start.Options);
            var languageVersion = ((CSharpCompilation)start.Compilation).LanguageVersion;
            var hiddenNamespaces = GeneratedCodeNamespaces.HiddenIn(start.Compilation);
            start.RegisterSymbolAction(symbol =>
            {
                ReportLanguageVersionTooOld(symbol, extractor, helpLinks, languageVersion);
                ReportHiddenNamespaces(symbol, extractor, helpLinks, hiddenNamespaces);
                AnalyzeType(symbol, extractor, helpLinks);
            }, SymbolKind.NamedType);
        });
    }

    static void AnalyzeType(SymbolAnalysisContext context, SpecExtractor extractor, HelpLinks helpLinks)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        ReportNotPartialContainer(context, extractor, helpLinks, type);
        if (extractor.ExtractAgent(type, context.CancellationToken) is { } agent)
        {
            var problems = AgentValidator.Validate(agent).Where(p => p.Site.Kind != SiteKind.ContainingDeclaration)
                .Concat(MemberNameRules.CheckAgent(agent, UserMemberNames(type, context.CancellationToken)));
            foreach (var problem in problems)
            {
                Report(context, helpLinks, problem, type, agent, fallback: null);
            }
        }
        else if (extractor.FirstPromptIndex(type) is var prompt and >= 0 && type.DeclaringSyntaxReferences.Length > 0)
        {
            // Only an agent's prompts are read: on any other class (a system's included) they were dropped without a word.
            var problem = Problem.Create(DiagnosticKind.PromptWithoutAgent, Site.Attribute(SpecExtractor.FullName(type), prompt), type.Name);
            Report(context, helpLinks, problem, type, agent: null, fallback: null);
        }

        var namedTypes = new Dictionary<string, INamedTypeSymbol>(StringComparer.Ordinal);
        if (extractor.ExtractSystem(type, namedTypes, context.CancellationToken) is not { } system)
        {
            return;
        }

        foreach (var problem in SystemValidator.Validate(system).Where(p => p.Site.Kind != SiteKind.ContainingDeclaration))
        {
            var owner = problem.Site.Owner == system.Type.FullName ? type : namedTypes[problem.Site.Owner];
            // An agent from a referenced assembly has no source: point at where the system names it.
            var mention = system.Mentions().FirstOrDefault(m => m.Type == problem.Site.Owner).Site;
            var fallback = mention is null ? null : SiteLocator.Locate(mention, type, context.CancellationToken);
            Report(context, helpLinks, problem, owner, system.FindAgent(problem.Site.Owner), fallback);
        }

        // An agent of a referenced assembly has no symbol action here, and its own project's analyzers (when any ran) told
        // only its author; but its errors stop this system's generation (SystemValidator.ValidateWithAgents), so they are
        // reported where this system names it. Warnings stay with the agent's own project.
        foreach (var referenced in system.Agents.Where(a => !a.Type.IsInSource))
        {
            var mention = system.Mentions().First(m => m.Type == referenced.FullName).Site;
            var fallback = SiteLocator.Locate(mention, type, context.CancellationToken);
            foreach (var problem in AgentValidator.Validate(referenced).Where(p => p.IsError))
            {
                // No agent, so no config.json value for the HiddenSize code fix: it edits the attribute at the location,
                // which here is the system's pattern, not the agent's [Agent].
                Report(context, helpLinks, problem, namedTypes[referenced.FullName], agent: null, fallback);
            }
        }

        foreach (var problem in MemberNameRules.CheckSystem(system, UserMemberNames(type, context.CancellationToken)))
        {
            Report(context, helpLinks, problem, type, agent: null, fallback: null);
        }
    }

    // Below the generated code's C# version the generator writes nothing (RecursiveSystemGenerator): each class that goes
    // without says why, rather than the project failing on what its own code uses of the generated members.
    static void ReportLanguageVersionTooOld(SymbolAnalysisContext context, SpecExtractor extractor, HelpLinks helpLinks, LanguageVersion version)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (GeneratedCodeLanguage.Compiles(version) || type.DeclaringSyntaxReferences.Length == 0 || !(extractor.IsAgent(type) || extractor.IsSystem(type)))
        {
            return;
        }

        var problem = Problem.Create(DiagnosticKind.LanguageVersionTooOld, Site.Declaration(SpecExtractor.FullName(type)), type.Name,
            version.ToDisplayString(), GeneratedCodeLanguage.Minimum.ToDisplayString());
        Report(context, helpLinks, problem, type, agent: null, fallback: null);
    }

    // A type named System (RecursiveMas, TorchSharp) in the global namespace hides that namespace from the generated code
    // even after global::, so the generator writes nothing (RecursiveSystemGenerator): each class that goes without says why,
    // rather than every generated file failing with CS0426.
    static void ReportHiddenNamespaces(SymbolAnalysisContext context, SpecExtractor extractor, HelpLinks helpLinks, EquatableArray<string> hidden)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (hidden.Count == 0 || type.DeclaringSyntaxReferences.Length == 0 || !(extractor.IsAgent(type) || extractor.IsSystem(type)))
        {
            return;
        }

        foreach (var name in hidden)
        {
            var problem = Problem.Create(DiagnosticKind.NamespaceHiddenByType, Site.Declaration(SpecExtractor.FullName(type)), type.Name, name);
            Report(context, helpLinks, problem, type, agent: null, fallback: null);
        }
    }

    // The names of the members declared in the user's own code (not in generated sources), nested types
    // included: the ones that can clash with what the generator adds. Implicit members (a record's
    // synthesized ones, the default constructor) have no declaration and are left out. A constructor that takes
    // the runtime system, the generated one's signature, counts as GeneratedNames.RuntimeConstructor.
    static IEnumerable<string> UserMemberNames(INamedTypeSymbol type, System.Threading.CancellationToken cancellationToken) =>
        type.GetMembers()
            .Where(m => !m.IsImplicitlyDeclared && SiteLocator.UserDeclaration(m, cancellationToken) is not null)
            .Select(m => m.CanBeReferencedByName ? m.Name
                : SiteLocator.TakesTheRuntimeSystem(m) ? GeneratedNames.RuntimeConstructor(type.Name)
                : null)
            .OfType<string>();

    // A non-partial type that contains an agent or system is reported from its own symbol action, so
    // that the diagnostic is local to the declaration the code fix changes (and reported once).
    static void ReportNotPartialContainer(SymbolAnalysisContext context, SpecExtractor extractor, HelpLinks helpLinks, INamedTypeSymbol type)
    {
        if (FirstNestedDslType(type, extractor) is not { } nested
            || type.DeclaringSyntaxReferences.Length == 0
            || SpecExtractor.IsPartial(type, context.CancellationToken))
        {
            return;
        }

        var depth = 0;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            depth++;
        }

        var what = extractor.IsAgent(nested) ? "an agent" : "a system";
        var problem = PartialRules.Check(extractor.TypeRefOf(nested, context.CancellationToken), what)
            .FirstOrDefault(p => p.Site.Kind == SiteKind.ContainingDeclaration && p.Site.Index == depth);
        if (problem is not null)
        {
            Report(context, helpLinks, problem, nested, agent: null, fallback: null);
        }
    }

    static INamedTypeSymbol? FirstNestedDslType(INamedTypeSymbol type, SpecExtractor extractor)
    {
        foreach (var member in type.GetTypeMembers())
        {
            if (extractor.IsAgent(member) || extractor.IsSystem(member))
            {
                return member;
            }

            if (FirstNestedDslType(member, extractor) is { } deeper)
            {
                return deeper;
            }
        }

        return null;
    }

    static void Report(SymbolAnalysisContext context, HelpLinks helpLinks, Problem problem, INamedTypeSymbol owner, AgentSpec? agent, Location? fallback)
    {
        // A type of another project can have source (the IDE holds it) that is not part of this compilation.
        var location = new[] { SiteLocator.Locate(problem.Site, owner, context.CancellationToken), fallback }
            .FirstOrDefault(l => l?.SourceTree is { } tree && context.Compilation.ContainsSyntaxTree(tree))
            ?? context.Symbol.Locations.FirstOrDefault()
            ?? Location.None;
        var properties = ImmutableDictionary<string, string?>.Empty;
        if (agent is { Config.Status: ConfigJsonStatus.Valid } && problem.Site.Owner == agent.FullName && IsAboutAgentHiddenSize(problem))
        {
            properties = properties.Add(ConfigHiddenSizeProperty, agent.Config.HiddenSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        context.ReportDiagnostic(Diagnostic.Create(
            helpLinks.Localize(DiagnosticDescriptors.For(problem.Kind)),
            location,
            properties,
            problem.Arguments.Cast<object>().ToArray()));
    }

    static bool IsAboutAgentHiddenSize(Problem problem) => problem.Kind switch
    {
        DiagnosticKind.HiddenSizeMismatch or DiagnosticKind.HiddenSizeFromConfig => true,
        DiagnosticKind.NegativeHiddenSize => problem.Site.Name == "HiddenSize",
        _ => false,
    };
}
