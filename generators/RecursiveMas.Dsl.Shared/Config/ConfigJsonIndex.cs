using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;

namespace RecursiveMas.Dsl;

/// <summary>
/// Finds the <c>config.json</c> of an agent's model among the project's <c>AdditionalFiles</c>: the file
/// whose path ends with <c>&lt;model&gt;/config.json</c>, separators normalised to <c>/</c>, compared
/// ordinally at a folder boundary (so model <c>Qwen3-1.7B</c> matches
/// <c>models/Qwen3-1.7B/config.json</c> but not <c>models/MyQwen3-1.7B/config.json</c>). When several
/// files match, the first in ordinal path order wins. Files are read and parsed once, on first use;
/// the index is safe to share between threads.
/// </summary>
internal sealed class ConfigJsonIndex
{
    const string FileName = "config.json";

    readonly (string Path, string Normalized, Func<string?> Read)[] files;
    readonly ConcurrentDictionary<string, ConfigJsonFacts> parsed = new(StringComparer.Ordinal);

    /// <summary>Indexes the given files; <c>read</c> returns a file's text, or null when it cannot be read.</summary>
    public ConfigJsonIndex(IEnumerable<(string Path, Func<string?> Read)> additionalFiles)
    {
        files = additionalFiles
            .Select(f => (f.Path, Normalized: Normalize(f.Path), f.Read))
            .Where(f => IsConfigFile(f.Normalized))
            .OrderBy(f => f.Normalized, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Whether <paramref name="path"/> names a <c>config.json</c> at all (a cheap filter for generator pipelines).</summary>
    public static bool IsConfigFile(string path)
    {
        var normalized = Normalize(path);
        return normalized == FileName || normalized.EndsWith("/" + FileName, StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether <paramref name="path"/> is the config.json of <paramref name="model"/>, the folder as loading resolves it
    /// (<see cref="FileNameRules.Lexical"/>: <c>models/../planner</c> is <c>planner</c>, whose config.json had gone unfound).
    /// </summary>
    public static bool Matches(string path, string model)
    {
        var folder = FileNameRules.Lexical(model);
        if (string.IsNullOrEmpty(folder))
        {
            return false;
        }

        var suffix = folder + "/" + FileName;
        var normalized = Normalize(path);
        return normalized == suffix || normalized.EndsWith("/" + suffix, StringComparison.Ordinal);
    }

    /// <summary>The config of <paramref name="model"/>, or <see cref="ConfigJsonFacts.NotFound"/>.</summary>
    public ConfigJsonFacts Find(string model)
    {
        foreach (var file in files)
        {
            if (Matches(file.Normalized, model))
            {
                return parsed.GetOrAdd(file.Path, _ =>
                    file.Read() is { } text
                        ? ConfigJsonReader.Read(file.Path, text)
                        : ConfigJsonFacts.Invalid(file.Path, "the file cannot be read"));
            }
        }

        return ConfigJsonFacts.NotFound;
    }

    static string Normalize(string path) => path.Replace('\\', '/');
}
