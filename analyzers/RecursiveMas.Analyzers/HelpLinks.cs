using System;
using System.Collections.Concurrent;
using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace RecursiveMas.Analyzers;

/// <summary>
/// Where a diagnostic's help link points. The RecursiveMas package ships the pages of its diagnostics
/// (<c>docs/diagnostics/RMAS####.md</c>) and its <c>build/RecursiveMas.props</c> passes their folder to the
/// compiler as <c>build_property.RecursiveMasDiagnosticDocs</c>; with it, each reported diagnostic links to
/// the page of the installed version as a <c>file:</c> URI (offline, and never a page of another version).
/// Without it (a compilation outside MSBuild), the descriptors' published pages are linked.
/// </summary>
/// <remarks>
/// The driver accepts a reported diagnostic whose descriptor has the ID of a supported one, so the
/// descriptor is copied with the local link at report time; the static descriptors keep the published
/// link for <c>SupportedDiagnostics</c> (a descriptor's help link cannot depend on the project).
/// </remarks>
internal sealed class HelpLinks
{
    /// <summary>The MSBuild property, as the analyzer config sees it.</summary>
    public const string DocsProperty = "build_property.RecursiveMasDiagnosticDocs";

    readonly string? _docsFolder;
    readonly ConcurrentDictionary<string, DiagnosticDescriptor> _local = new(StringComparer.Ordinal);

    HelpLinks(string? docsFolder) => _docsFolder = docsFolder;

    /// <summary>The help links of one compilation, from its global analyzer options.</summary>
    public static HelpLinks From(AnalyzerOptions options) =>
        new(options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(DocsProperty, out var folder)
            && !string.IsNullOrWhiteSpace(folder) && Path.IsPathRooted(folder.Trim())
                ? folder.Trim()
                : null);

    /// <summary><paramref name="descriptor"/> with its help link pointing at the local page, when there is a docs folder.</summary>
    public DiagnosticDescriptor Localize(DiagnosticDescriptor descriptor) =>
        _docsFolder is null ? descriptor : _local.GetOrAdd(descriptor.Id, _ => new DiagnosticDescriptor(
            descriptor.Id,
            descriptor.Title,
            descriptor.MessageFormat,
            descriptor.Category,
            descriptor.DefaultSeverity,
            descriptor.IsEnabledByDefault,
            descriptor.Description,
            PageUri(_docsFolder, descriptor.Id),
            [.. descriptor.CustomTags]));

    /// <summary>The <c>file:</c> URI of diagnostic <paramref name="id"/>'s page in <paramref name="docsFolder"/>.</summary>
    public static string PageUri(string docsFolder, string id) => new Uri(Path.Combine(docsFolder, id + ".md")).AbsoluteUri;
}
