using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RecursiveMas.Analyzers;

/// <summary>
/// RMAS1001 (HiddenSize differs from config.json), RMAS1005 (negative HiddenSize) and RMAS1006
/// (HiddenSize read from config.json): writes <c>HiddenSize = N</c> with the config.json value into the
/// agent's <c>[Agent]</c>, replacing the argument's value or adding the argument. Offered only when
/// the analyzer found the value (it passes it in <see cref="DslAnalyzer.ConfigHiddenSizeProperty"/>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SetHiddenSizeFromConfigCodeFix)), Shared]
public sealed class SetHiddenSizeFromConfigCodeFix : CodeFixProvider
{
    const string HiddenSize = "HiddenSize";

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.HiddenSizeMismatchId,
        DiagnosticDescriptors.NegativeHiddenSizeId,
        DiagnosticDescriptors.HiddenSizeFromConfigId);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DslAnalyzer.ConfigHiddenSizeProperty, out var text)
                || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                || root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>() is not { } attribute)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Set HiddenSize = {value} from config.json",
                    cancellationToken => SetAsync(context.Document, attribute, value, cancellationToken),
                    equivalenceKey: nameof(SetHiddenSizeFromConfigCodeFix)),
                diagnostic);
        }
    }

    static async Task<Document> SetAsync(Document document, AttributeSyntax attribute, int value, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value));
        var arguments = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
        var existing = arguments.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == HiddenSize);
        AttributeArgumentListSyntax fixedArguments;
        if (existing is not null)
        {
            fixedArguments = arguments.ReplaceNode(existing, existing.WithExpression(literal.WithTriviaFrom(existing.Expression)));
        }
        else
        {
            // Appends ", HiddenSize = N", spaced as people write it.
            var space = SyntaxFactory.TriviaList(SyntaxFactory.Space);
            var added = SyntaxFactory.AttributeArgument(
                SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName(HiddenSize), SyntaxFactory.Token(space, SyntaxKind.EqualsToken, space)),
                null,
                literal);
            var nodes = arguments.Arguments.Add(added);
            var separators = arguments.Arguments.GetSeparators()
                .Append(SyntaxFactory.Token(SyntaxFactory.TriviaList(), SyntaxKind.CommaToken, space));
            fixedArguments = arguments.WithArguments(SyntaxFactory.SeparatedList(nodes, separators.Take(nodes.Count - 1)));
        }

        return document.WithSyntaxRoot(root.ReplaceNode(attribute, attribute.WithArgumentList(fixedArguments)));
    }
}
