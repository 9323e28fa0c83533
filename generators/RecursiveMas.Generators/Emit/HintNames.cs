using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RecursiveMas.Dsl;

namespace RecursiveMas.Generators.Emit;

/// <summary>
/// Makes the generator's file names unique as Roslyn compares them: ignoring case. Two types whose full names differ
/// only in case (<c>N.Team</c> and <c>n.team</c>) are two types to C#, but their <see cref="Emitter.HintName"/>s are one
/// hint name to <c>AddSource</c>, which throws: the generator failed (CS8785) and every generated file of the project
/// went with it.
/// </summary>
internal static class HintNames
{
    /// <summary>The hint names among <paramref name="hintNames"/> that another one equals ignoring case, in ordinal order.</summary>
    public static EquatableArray<string> CaseClashes(IEnumerable<string> hintNames) =>
        hintNames.Distinct(StringComparer.Ordinal)
            .GroupBy(name => name, StringComparer.OrdinalIgnoreCase)
            .Where(group => group.Count() > 1)
            .SelectMany(group => group)
            .OrderBy(name => name, StringComparer.Ordinal)
            .ToEquatableArray();

    /// <summary>
    /// <paramref name="hintName"/>, or, when it is one of <paramref name="caseClashes"/>, the same name with a hash of its
    /// exact spelling before <c>.g.cs</c> (<c>n.team.1c2d3e4f.g.cs</c>). Every name of a clash gets one, so a file's name
    /// does not depend on which of the types was seen first, and a name that clashes with nothing keeps its plain form.
    /// </summary>
    public static string Unique(string hintName, EquatableArray<string> caseClashes)
    {
        if (!caseClashes.Contains(hintName))
        {
            return hintName;
        }

        const string extension = ".g.cs";
        var stem = hintName.EndsWith(extension, StringComparison.Ordinal) ? hintName.Substring(0, hintName.Length - extension.Length) : hintName;
        return stem + "." + Fnv1a(hintName).ToString("x8", CultureInfo.InvariantCulture) + extension;
    }

    // FNV-1a over the UTF-16 code units: stable across runs and processes (string.GetHashCode is randomized).
    static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }
}
