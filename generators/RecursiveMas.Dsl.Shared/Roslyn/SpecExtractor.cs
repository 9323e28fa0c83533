using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RecursiveMas.Dsl.Roslyn;

/// <summary>
/// Reads attributed types into the symbol-free specs (<see cref="AgentSpec"/>, <see cref="SystemSpec"/>).
/// Attribute positions (<c>AttributeIndex</c>) are positions in <see cref="ISymbol.GetAttributes"/>,
/// so a <see cref="Site"/> can be turned back into a location by whoever holds the symbol.
/// </summary>
/// <param name="symbols">The DSL's attribute symbols in this compilation.</param>
/// <param name="configs">The project's config.json files.</param>
internal sealed class SpecExtractor(DslSymbols symbols, ConfigJsonIndex configs)
{
    /// <summary>Whether <paramref name="type"/> carries <c>[Agent]</c>.</summary>
    public bool IsAgent(INamedTypeSymbol type) => type.GetAttributes().Any(a => DslSymbols.Is(a, symbols.Agent));

    /// <summary>Whether <paramref name="type"/> carries <c>[RecursiveSystem]</c> or any pattern, link or decoder attribute.</summary>
    public bool IsSystem(INamedTypeSymbol type) => type.GetAttributes().Any(symbols.IsSystemAttribute);

    /// <summary>The position of <paramref name="type"/>'s first <c>[Prompt]</c> in its attributes; -1 when it has none.</summary>
    public int FirstPromptIndex(INamedTypeSymbol type) => IndexOf(type.GetAttributes(), symbols.Prompt);

    /// <summary>The agent declared by <paramref name="type"/>; null when it has no <c>[Agent]</c>.</summary>
    public AgentSpec? ExtractAgent(INamedTypeSymbol type, CancellationToken cancellationToken = default)
    {
        var attributes = type.GetAttributes();
        var index = IndexOf(attributes, symbols.Agent);
        if (index < 0)
        {
            return null;
        }

        var agent = attributes[index];
        var model = agent.ConstructorArguments.Length > 0 ? agent.ConstructorArguments[0].Value as string ?? "" : "";
        var prompts = new List<PromptSpec>();
        for (var i = 0; i < attributes.Length; i++)
        {
            if (DslSymbols.Is(attributes[i], symbols.Prompt))
            {
                var template = attributes[i].ConstructorArguments.Length > 0 ? attributes[i].ConstructorArguments[0].Value as string ?? "" : "";
                var use = (PromptUseKind)Named(attributes[i], "When", (int)PromptUseKind.Always);
                prompts.Add(new PromptSpec(use, PromptTemplate.Parse(template), i));
            }
        }

        return new AgentSpec(
            TypeRefOf(type, cancellationToken),
            index,
            model,
            Named(agent, "HiddenSize", 0),
            string.IsNullOrWhiteSpace(model) ? ConfigJsonFacts.NotFound : configs.Find(model),
            Named(agent, "LatentSteps", AgentSpec.DefaultLatentSteps),
            Named<string?>(agent, "Role", null) ?? type.Name,
            prompts.ToEquatableArray());
    }

    /// <summary>
    /// The system declared by <paramref name="type"/>, with a spec for every <c>[Agent]</c> type it
    /// names; null when it has no system attribute at all. When <paramref name="namedTypes"/> is given,
    /// it receives the symbol of every type the declaration names, by full name.
    /// </summary>
    public SystemSpec? ExtractSystem(INamedTypeSymbol type, IDictionary<string, INamedTypeSymbol>? namedTypes = null, CancellationToken cancellationToken = default)
    {
        var attributes = type.GetAttributes();
        if (!attributes.Any(symbols.IsSystemAttribute))
        {
            return null;
        }

        var named = new List<INamedTypeSymbol>();
        // A type that cannot be an agent keeps a name, so RMAS0001 reports it: typeof(Solver[]), typeof(int*), and a
        // null among the types, which had left the system without code and without a message.
        string NameOf(TypedConstant value)
        {
            if (value.Value is INamedTypeSymbol symbol && symbol.TypeKind != TypeKind.Error)
            {
                named.Add(symbol);
                return FullName(symbol);
            }

            return value.Value is ITypeSymbol { TypeKind: not TypeKind.Error } other ? FullName(other)
                : value.Kind != TypedConstantKind.Error && value.IsNull ? "null"
                : "";
        }

        var systemIndex = IndexOf(attributes, symbols.RecursiveSystem);
        var patterns = new List<PatternSpec>();
        var links = new List<LinkSpec>();
        var decoders = new List<DecoderSpec>();
        for (var i = 0; i < attributes.Length; i++)
        {
            var attribute = attributes[i];
            var arguments = Flatten(attribute.ConstructorArguments);
            if (symbols.PatternOf(attribute) is { } kind)
            {
                var corpus = kind == PatternKind.Deliberation ? Named<string?>(attribute, "SearchCorpus", null) : null;
                patterns.Add(new PatternSpec(kind, arguments.Select(NameOf).ToEquatableArray(), i, corpus));
            }
            else if (DslSymbols.Is(attribute, symbols.Link) && arguments.Count == 2)
            {
                links.Add(new LinkSpec(NameOf(arguments[0]), NameOf(arguments[1]), Named(attribute, "FromHiddenSize", 0), Named(attribute, "ToHiddenSize", 0), i));
            }
            else if (DslSymbols.Is(attribute, symbols.Decoder) && arguments.Count == 1)
            {
                decoders.Add(new DecoderSpec(NameOf(arguments[0]), i));
            }
        }

        var agents = new List<AgentSpec>();
        var nonAgents = new List<string>();
        foreach (var symbol in named.Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default))
        {
            var fullName = FullName(symbol);
            if (namedTypes is not null)
            {
                namedTypes[fullName] = symbol;
            }

            if (ExtractAgent(symbol, cancellationToken) is { } agent)
            {
                agents.Add(agent);
            }
            else
            {
                nonAgents.Add(fullName);
            }
        }

        return new SystemSpec(
            TypeRefOf(type, cancellationToken),
            systemIndex < 0 ? SystemSpec.DefaultRounds : Named(attributes[systemIndex], "Rounds", SystemSpec.DefaultRounds),
            systemIndex,
            patterns.ToEquatableArray(),
            links.ToEquatableArray(),
            decoders.ToEquatableArray(),
            agents.ToEquatableArray(),
            nonAgents.ToEquatableArray());
    }

    /// <summary>The name the specs use for <paramref name="type"/>: fully qualified, without <c>global::</c>.</summary>
    public static string FullName(ITypeSymbol type) =>
        type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted));

    /// <summary>Reads a type's name, nesting and <c>partial</c>-ness.</summary>
    public TypeRef TypeRefOf(INamedTypeSymbol type, CancellationToken cancellationToken = default)
    {
        var containing = new List<ContainingTypeSpec>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, new ContainingTypeSpec(outer.Name, Keyword(outer), IsPartial(outer, cancellationToken), TypeParameterNames(outer)));
        }

        var baseType = BaseWithoutParameterlessConstructor(type);
        return new TypeRef(
            FullName(type),
            type.Name,
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : "",
            Keyword(type),
            IsPartial(type, cancellationToken),
            SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, symbols.Assembly),
            containing.ToEquatableArray(),
            VisibilityOf(type),
            ShapeOf(type, baseType, cancellationToken),
            baseType?.Name ?? "",
            TypeParameterNames(type));
    }

    // The definition's parameter names also for a constructed type (P<int> gives T), as a partial declaration spells them.
    static EquatableArray<string> TypeParameterNames(INamedTypeSymbol type) =>
        type.TypeParameters.Select(p => p.Name).ToEquatableArray();

    TypeShape ShapeOf(INamedTypeSymbol type, INamedTypeSymbol? baseWithoutParameterlessConstructor, CancellationToken cancellationToken)
    {
        var shape = TypeShape.None;
        if (type.IsStatic)
        {
            shape |= TypeShape.Static;
        }
        else if (type.IsAbstract && type.TypeKind == TypeKind.Class)
        {
            shape |= TypeShape.Abstract;
        }

        if (type.IsUnboundGenericType)
        {
            shape |= TypeShape.OpenGeneric;
        }

        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.TypeParameters.Length > 0)
            {
                shape |= TypeShape.Generic;
            }

            if (t.IsFileLocal)
            {
                shape |= TypeShape.FileLocal;
            }
        }

        if (type.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax { ParameterList: not null }))
        {
            shape |= TypeShape.PrimaryConstructor;
        }

        if (baseWithoutParameterlessConstructor is not null)
        {
            shape |= TypeShape.NoParameterlessBaseConstructor;
        }

        if (IsAgent(type) && type.GetAttributes().Any(a => DslSymbols.Is(a, symbols.RecursiveSystem)))
        {
            shape |= TypeShape.AgentAndSystem;
        }

        return shape;
    }

    // The base class, when a constructor of the type that calls base() with no arguments (the generated one) cannot
    // compile (CS7036, CS0122): none of its constructors takes no argument, or none of those is accessible from here.
    static INamedTypeSymbol? BaseWithoutParameterlessConstructor(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Class || type.IsStatic || type.BaseType is not { } baseType
            || baseType.SpecialType == SpecialType.System_Object || baseType.TypeKind == TypeKind.Error)
        {
            return null;
        }

        var callable = baseType.InstanceConstructors.Any(c =>
            c.Parameters.All(p => p.IsOptional || p.IsParams)
            && c.DeclaredAccessibility switch
            {
                Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal => true,
                Accessibility.Internal or Accessibility.ProtectedAndInternal => SymbolEqualityComparer.Default.Equals(c.ContainingAssembly, type.ContainingAssembly),
                _ => IsNestedIn(type, baseType),
            });
        return callable ? null : baseType;
    }

    // A private member is accessible from the types nested in its own.
    static bool IsNestedIn(INamedTypeSymbol type, INamedTypeSymbol outer)
    {
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, outer.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The narrowest accessibility along <paramref name="type"/> and the types it is nested in.</summary>
    static TypeVisibility VisibilityOf(INamedTypeSymbol type)
    {
        var visibility = TypeVisibility.Public;
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            var here = t.DeclaredAccessibility switch
            {
                Accessibility.Public => TypeVisibility.Public,
                Accessibility.Internal or Accessibility.ProtectedOrInternal => TypeVisibility.Internal,
                _ => TypeVisibility.Private,
            };
            if (here < visibility)
                visibility = here;
        }

        return visibility;
    }

    /// <summary>Whether every source declaration of <paramref name="type"/> has the <c>partial</c> modifier.</summary>
    public static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken = default) =>
        type.DeclaringSyntaxReferences.All(r =>
            r.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    static string Keyword(INamedTypeSymbol type) => (type.IsRecord, type.TypeKind) switch
    {
        (true, TypeKind.Struct) => "record struct",
        (true, _) => "record",
        (_, TypeKind.Struct) => "struct",
        (_, TypeKind.Interface) => "interface",
        _ => "class",
    };

    // A params array argument counts as one argument per element, as written in source.
    static List<TypedConstant> Flatten(IEnumerable<TypedConstant> arguments) =>
        arguments.SelectMany(a => a.Kind != TypedConstantKind.Array ? new[] { a }
            : a.IsNull ? Enumerable.Empty<TypedConstant>()
            : a.Values).ToList();

    static int IndexOf(IReadOnlyList<AttributeData> attributes, INamedTypeSymbol? type)
    {
        for (var i = 0; i < attributes.Count; i++)
        {
            if (DslSymbols.Is(attributes[i], type))
            {
                return i;
            }
        }

        return -1;
    }

    static T Named<T>(AttributeData attribute, string name, T fallback)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == name && argument.Value.Value is T value)
            {
                return value;
            }
        }

        return fallback;
    }
}
