namespace RecursiveMas.Dsl;

/// <summary>
/// The rules for the names an agent gives to what the runtime opens: its model folder, relative to the model root, and
/// its name and role, each one file name in the links folder (links are looked up under both). The runtime refuses other names when it
/// loads a system, so that a hostile SYSTEM.json cannot make it read or write elsewhere; these rules are how it refuses
/// them (<c>RecursiveMas.IO.ContainedPath.FileName</c> calls <see cref="WhyNotAFileName"/>, and <c>SystemPlan</c> runs the
/// agent rules over every description), and the analyzers report the same at compile time (RMAS0018, RMAS0025, RMAS0021, RMAS0019).
/// </summary>
/// <remarks>
/// Lexical and portable, because a declaration compiled on one OS runs on all: '/' and '\' both separate, a drive
/// (<c>C:</c>) or a leading separator roots a path, and a file name avoids what any OS refuses. The runtime's
/// <c>ContainedPath.Resolve</c> stays the last check of a model folder against the file system.
/// </remarks>
internal static class FileNameRules
{
    /// <summary>The characters some OS refuses in a file name, besides separators, NUL and control characters (Windows' set).</summary>
    const string Reserved = "<>:\"|?*";

    /// <summary>
    /// The names Windows keeps for devices: <c>con</c>, <c>NUL.txt</c> and <c>com1.tar.gz</c> open the device, not a
    /// file, in any case and with any extension. COM and LPT count the superscripts ¹ ² ³ as digits too, and the console's
    /// own two (<c>CONIN$</c>, <c>CONOUT$</c>) are reserved the same way.
    /// </summary>
    static readonly string[] DeviceNames =
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM\u00B9", "COM\u00B2", "COM\u00B3",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT\u00B9", "LPT\u00B2", "LPT\u00B3",
    };

    /// <summary>
    /// Why <paramref name="relative"/> does not stay inside the folder it is relative to: "is an absolute path", "climbs out
    /// of the model root with '..'", or "holds a NUL character"; null when it stays inside. Empty is RMAS0011's, not this.
    /// </summary>
    public static string? WhyOutsideModelRoot(string relative)
    {
        if (relative.IndexOf('\0') >= 0)
        {
            return "holds a NUL character";
        }

        if (relative.Length > 0 && (IsSeparator(relative[0]) || (relative.Length > 1 && relative[1] == ':' && IsAsciiLetter(relative[0]))))
        {
            return "is an absolute path";
        }

        return Lexical(relative) is null ? "climbs out of the model root with '..'" : null;
    }

    /// <summary>
    /// Why <paramref name="relative"/>, a model folder, is refused for white space around a name in it ("planner ",
    /// " qwen/Qwen3-1.7B"): a typo far more often than a folder's real name, and one that loading did not name: the folder was
    /// looked for under the padded name and not found (Windows drops a trailing space, and found another folder, or none).
    /// Null when no name in it begins or ends with white space. All white space is RMAS0011's, not this.
    /// </summary>
    public static string? WhyPaddedWithWhiteSpace(string relative)
    {
        var segments = relative.Split('/', '\\');
        foreach (var segment in segments)
        {
            if (segment.Length > 0 && (char.IsWhiteSpace(segment[0]) || char.IsWhiteSpace(segment[segment.Length - 1])))
            {
                var where = segments.Length == 1 ? "" : " in its folder name \"" + segment + "\"";
                return (char.IsWhiteSpace(segment[0]) ? "begins" : "ends") + " with white space" + where;
            }
        }

        return null;
    }

    /// <summary>The model folder <see cref="WhyPaddedWithWhiteSpace"/> suggests instead: each name in it trimmed.</summary>
    public static string Trimmed(string relative) =>
        string.Join("/", System.Linq.Enumerable.Select(relative.Split('/', '\\'), segment => segment.Trim()));

    /// <summary>
    /// <paramref name="relative"/> resolved as <c>Path.GetFullPath</c> resolves it, without the file system: '/' and '\'
    /// both separate and are written '/', empty and "." segments are dropped, and ".." takes back the segment before it
    /// (<c>models/../planner/</c> is <c>planner</c>); null when a ".." climbs above the start.
    /// </summary>
    public static string? Lexical(string relative)
    {
        var segments = new System.Collections.Generic.List<string>();
        foreach (var segment in relative.Split('/', '\\'))
        {
            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    return null;
                }

                segments.RemoveAt(segments.Count - 1);
            }
            else if (segment.Length > 0 && segment != ".")
            {
                segments.Add(segment);
            }
        }

        return string.Join("/", segments);
    }

    /// <summary>
    /// Why <paramref name="name"/> cannot be one file name on every OS; null when it can. Windows refuses the most (its
    /// characters, device names, a trailing dot or space), so its rules are the rule; the Hub's listing is checked
    /// with it too (<c>RecursiveMas.Hub.HubFilePath</c>, per path segment).
    /// </summary>
    public static string? WhyNotAFileName(string name)
    {
        if (name.Length == 0)
        {
            return "is empty";
        }

        if (name is "." or "..")
        {
            return "is '.' or '..'";
        }

        foreach (var c in name)
        {
            if (IsSeparator(c))
            {
                return "holds a path separator ('/' or '\\')";
            }

            if (c < ' ' || Reserved.IndexOf(c) >= 0)
            {
                var shown = c < ' ' ? "U+" + ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture) : "'" + c + "'";
                return "holds a character that is not allowed in a file name on every OS (" + shown + ")";
            }
        }

        // Windows drops a trailing dot or space when it opens a name ("planner." is "planner" there), so such a name is
        // another file's, or none.
        var last = name[name.Length - 1];
        if (last is '.' or ' ')
        {
            return "ends in " + (last == '.' ? "a dot" : "a space") + ", which Windows drops from a file name";
        }

        // What Windows reads as the device is the name before its first dot, without trailing spaces ("con .txt" too).
        var dot = name.IndexOf('.');
        var stem = (dot < 0 ? name : name.Substring(0, dot)).TrimEnd(' ');
        foreach (var device in DeviceNames)
        {
            if (string.Equals(stem, device, System.StringComparison.OrdinalIgnoreCase))
            {
                return "is reserved for a device on Windows (" + device + ", in any case and with any extension)";
            }
        }

        return null;
    }

    static bool IsSeparator(char c) => c is '/' or '\\';

    static bool IsAsciiLetter(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';
}
