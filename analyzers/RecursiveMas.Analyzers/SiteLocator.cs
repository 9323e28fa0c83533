using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RecursiveMas.Dsl;

namespace RecursiveMas.Analyzers;

/// <summary>
/// Turns a shared-rule <see cref="Site"/> back into a source location: the argument's expression
/// (<c>256</c> in <c>HiddenSize = 256</c>), else the whole attribute when the argument was not written
/// (a default value is at fault), else the type's identifier.
/// </summary>
internal static class SiteLocator
{
    /// <summary>The location of <paramref name="site"/> on <paramref name="owner"/>; null when the owner has no source (a type from a referenced assembly).</summary>
    public static Location? Locate(Site site, INamedTypeSymbol owner, CancellationToken cancellationToken)
    {
        switch (site.Kind)
        {
            case SiteKind.Declaration:
                return Identifier(owner, cancellationToken);
            case SiteKind.ContainingDeclaration:
                var containing = new List<INamedTypeSymbol>();
                for (var outer = owner.ContainingType; outer is not null; outer = outer.ContainingType)
                {
                    containing.Insert(0, outer);
                }

                return site.Index >= 0 && site.Index < containing.Count
                    ? Identifier(containing[site.Index], cancellationToken)
                    : Identifier(owner, cancellationToken);
            case SiteKind.Member:
                // A type parameter is no member, but a generated member cannot take its name either (MemberNameRules).
                var members = site.Name == GeneratedNames.RuntimeConstructor(owner.Name)
                    ? owner.InstanceConstructors.Where(TakesTheRuntimeSystem).Cast<ISymbol>()
                    : owner.GetMembers(site.Name ?? "").Concat(owner.TypeParameters.Where(p => p.Name == site.Name));
                return members
                    .Select(m => UserDeclaration(m, cancellationToken))
                    .FirstOrDefault(l => l is not null) ?? Identifier(owner, cancellationToken);
            default:
                var attributes = owner.GetAttributes();
                if (site.Index < 0 || site.Index >= attributes.Length)
                {
                    return Identifier(owner, cancellationToken);
                }

                if (attributes[site.Index].ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax attribute)
                {
                    return null;
                }

                return site.Kind == SiteKind.Argument && FindArgument(attribute, site, attributes[site.Index].AttributeConstructor) is { } argument
                    ? argument.Expression.GetLocation()
                    : attribute.GetLocation();
        }
    }

    /// <summary>Whether <paramref name="member"/> is an instance constructor with the generated one's signature: one <c>RecursiveMas.Systems.RecursiveSystem</c>.</summary>
    public static bool TakesTheRuntimeSystem(ISymbol member) =>
        member is IMethodSymbol { MethodKind: MethodKind.Constructor, IsStatic: false, Parameters: [{ RefKind: RefKind.None } parameter] }
        && parameter.Type is INamedTypeSymbol { Name: GeneratedNames.RuntimeConstructorParameter, ContainingNamespace: { Name: "Systems", ContainingNamespace: { Name: "RecursiveMas", ContainingNamespace.IsGlobalNamespace: true } } };

    /// <summary>
    /// Where <paramref name="member"/> is declared in the user's code: the identifier of its first
    /// declaration outside generated sources; null when it is only declared in generated code (or has no source).
    /// </summary>
    public static Location? UserDeclaration(ISymbol member, CancellationToken cancellationToken)
    {
        foreach (var reference in member.DeclaringSyntaxReferences)
        {
            if (IsGenerated(reference.SyntaxTree, cancellationToken))
            {
                continue;
            }

            var syntax = reference.GetSyntax(cancellationToken);
            var identifier = syntax switch
            {
                BaseTypeDeclarationSyntax t => t.Identifier,
                MethodDeclarationSyntax m => m.Identifier,
                ConstructorDeclarationSyntax c => c.Identifier,
                PropertyDeclarationSyntax p => p.Identifier,
                EventDeclarationSyntax e => e.Identifier,
                VariableDeclaratorSyntax v => v.Identifier,
                DelegateDeclarationSyntax d => d.Identifier,
                ParameterSyntax p => p.Identifier,
                TypeParameterSyntax t => t.Identifier,
                _ => default,
            };
            return identifier == default ? syntax.GetLocation() : identifier.GetLocation();
        }

        return null;
    }

    // Sources a generator added, or files marked generated the way the compiler recognises them
    // (*.g.cs, *.designer.cs, an <auto-generated> comment at the top).
    static bool IsGenerated(SyntaxTree tree, CancellationToken cancellationToken)
    {
        var path = tree.FilePath ?? "";
        var name = System.IO.Path.GetFileName(path);
        if (name.EndsWith(".g.cs", System.StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".generated.cs", System.StringComparison.OrdinalIgnoreCase)
            || name.EndsWith(".designer.cs", System.StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var first = tree.GetRoot(cancellationToken).GetLeadingTrivia();
        return first.Any(t => t.ToString().IndexOf("<auto-generated", System.StringComparison.OrdinalIgnoreCase) >= 0);
    }

    // The first declaration that lacks 'partial' (the one a NotPartial diagnostic is about), else the first.
    static Location? Identifier(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        TypeDeclarationSyntax? first = null;
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration)
            {
                if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    return declaration.Identifier.GetLocation();
                }

                first ??= declaration;
            }
        }

        return first?.Identifier.GetLocation();
    }

    // Named: by name. Positional: the constructor argument written with its parameter's name ('to: typeof(B)'),
    // which may come in any order, else by position among the arguments without 'Name ='; a params array
    // written as separate arguments maps element i to argument i.
    static AttributeArgumentSyntax? FindArgument(AttributeSyntax attribute, Site site, IMethodSymbol? constructor)
    {
        var arguments = attribute.ArgumentList?.Arguments ?? default;
        if (site.Name is { } name)
        {
            return arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        }

        var positional = arguments.Where(a => a.NameEquals is null).ToList();
        if (constructor is not null && site.Position >= 0 && site.Position < constructor.Parameters.Length
            && !constructor.Parameters[site.Position].IsParams)
        {
            var parameter = constructor.Parameters[site.Position].Name;
            if (positional.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameter) is { } byName)
            {
                return byName;
            }
        }

        // An argument named for another parameter is not at this position (only arguments in their own position may be named).
        return site.Position >= 0 && site.Position < positional.Count
            && (positional[site.Position].NameColon is null || constructor is null)
            ? positional[site.Position]
            : null;
    }
}
