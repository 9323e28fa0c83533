using Microsoft.CodeAnalysis;

namespace RecursiveMas.Dsl.Roslyn;

/// <summary>
/// The DSL's attribute types as resolved in one compilation. Resolve once per compilation (analyzer:
/// in the compilation-start action; generator: from the compilation provider, outside the per-type
/// path) and compare with <see cref="SymbolEqualityComparer.Default"/>.
/// </summary>
internal sealed class DslSymbols
{
    /// <summary>Metadata names of the attributes, for <c>ForAttributeWithMetadataName</c>.</summary>
    public const string AgentAttribute = "RecursiveMas.AgentAttribute";

    /// <summary>Metadata name of <c>[Prompt]</c>.</summary>
    public const string PromptAttribute = "RecursiveMas.PromptAttribute";

    /// <summary>Metadata name of <c>[RecursiveSystem]</c>.</summary>
    public const string RecursiveSystemAttribute = "RecursiveMas.RecursiveSystemAttribute";

    /// <summary>Metadata name of <c>[Sequential]</c>.</summary>
    public const string SequentialAttribute = "RecursiveMas.SequentialAttribute";

    /// <summary>Metadata name of <c>[Mixture]</c>.</summary>
    public const string MixtureAttribute = "RecursiveMas.MixtureAttribute";

    /// <summary>Metadata name of <c>[Distillation]</c>.</summary>
    public const string DistillationAttribute = "RecursiveMas.DistillationAttribute";

    /// <summary>Metadata name of <c>[Deliberation]</c>.</summary>
    public const string DeliberationAttribute = "RecursiveMas.DeliberationAttribute";

    /// <summary>Metadata name of <c>[Link]</c>.</summary>
    public const string LinkAttribute = "RecursiveMas.LinkAttribute";

    /// <summary>Metadata name of <c>[Decoder]</c>.</summary>
    public const string DecoderAttribute = "RecursiveMas.DecoderAttribute";

    DslSymbols(Compilation compilation)
    {
        Assembly = compilation.Assembly;
        Agent = compilation.GetTypeByMetadataName(AgentAttribute)!;
        Prompt = compilation.GetTypeByMetadataName(PromptAttribute);
        RecursiveSystem = compilation.GetTypeByMetadataName(RecursiveSystemAttribute);
        Sequential = compilation.GetTypeByMetadataName(SequentialAttribute);
        Mixture = compilation.GetTypeByMetadataName(MixtureAttribute);
        Distillation = compilation.GetTypeByMetadataName(DistillationAttribute);
        Deliberation = compilation.GetTypeByMetadataName(DeliberationAttribute);
        Link = compilation.GetTypeByMetadataName(LinkAttribute);
        Decoder = compilation.GetTypeByMetadataName(DecoderAttribute);
    }

    /// <summary>The assembly being compiled: types declared elsewhere (even in a project whose source the IDE holds) are not extended.</summary>
    public IAssemblySymbol Assembly { get; }

    /// <summary><c>[Agent]</c>.</summary>
    public INamedTypeSymbol Agent { get; }

    /// <summary><c>[Prompt]</c>.</summary>
    public INamedTypeSymbol? Prompt { get; }

    /// <summary><c>[RecursiveSystem]</c>.</summary>
    public INamedTypeSymbol? RecursiveSystem { get; }

    /// <summary><c>[Sequential]</c>.</summary>
    public INamedTypeSymbol? Sequential { get; }

    /// <summary><c>[Mixture]</c>.</summary>
    public INamedTypeSymbol? Mixture { get; }

    /// <summary><c>[Distillation]</c>.</summary>
    public INamedTypeSymbol? Distillation { get; }

    /// <summary><c>[Deliberation]</c>.</summary>
    public INamedTypeSymbol? Deliberation { get; }

    /// <summary><c>[Link]</c>.</summary>
    public INamedTypeSymbol? Link { get; }

    /// <summary><c>[Decoder]</c>.</summary>
    public INamedTypeSymbol? Decoder { get; }

    /// <summary>The symbols of <paramref name="compilation"/>; null when it does not reference the RecursiveMas runtime.</summary>
    public static DslSymbols? Create(Compilation compilation) =>
        compilation.GetTypeByMetadataName(AgentAttribute) is null ? null : new DslSymbols(compilation);

    /// <summary>Whether <paramref name="attribute"/> is of type <paramref name="type"/>.</summary>
    public static bool Is(AttributeData attribute, INamedTypeSymbol? type) =>
        type is not null && SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, type);

    /// <summary>The built-in pattern an attribute declares, or null.</summary>
    public PatternKind? PatternOf(AttributeData attribute) =>
        Is(attribute, Sequential) ? PatternKind.Sequential
        : Is(attribute, Mixture) ? PatternKind.Mixture
        : Is(attribute, Distillation) ? PatternKind.Distillation
        : Is(attribute, Deliberation) ? PatternKind.Deliberation
        : null;

    /// <summary>Whether an attribute makes its class (part of) a system declaration.</summary>
    public bool IsSystemAttribute(AttributeData attribute) =>
        Is(attribute, RecursiveSystem) || PatternOf(attribute) is not null || Is(attribute, Link) || Is(attribute, Decoder);
}
