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

                return site.Kind == SiteKind.Argument && FindArgument(attribute, site) is { } argument
                    ? argument.Expression.GetLocation()
                    : attribute.GetLocation();
        }
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

    // Named: by name. Positional: by position among the arguments without 'Name ='; a params array
    // written as separate arguments maps element i to argument i.
    static AttributeArgumentSyntax? FindArgument(AttributeSyntax attribute, Site site)
    {
        var arguments = attribute.ArgumentList?.Arguments ?? default;
        if (site.Name is { } name)
        {
            return arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        }

        var positional = arguments.Where(a => a.NameEquals is null).ToList();
        return site.Position >= 0 && site.Position < positional.Count ? positional[site.Position] : null;
    }
}
