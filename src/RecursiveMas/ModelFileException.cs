namespace RecursiveMas;

/// <summary>
/// A file the library reads (a model's <c>config.json</c>, a safetensors checkpoint, a tokenizer
/// file, a link checkpoint, a system description) is missing or malformed. The message always names
/// the file and, where there is one, the field, tensor or entry at fault, so a user can fix the input
/// without a debugger.
/// </summary>
public class ModelFileException : Exception
{
    public ModelFileException(string filePath, string? item, string detail, Exception? inner = null)
        : base(Format(filePath, item, detail), inner)
    {
        FilePath = filePath;
        Item = item;
        Detail = detail;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }

    /// <summary>The field, tensor or entry at fault inside <see cref="FilePath"/>; null when the file as a whole is.</summary>
    public string? Item { get; }

    /// <summary>What is wrong, without the file and item prefix.</summary>
    public string Detail { get; }

    static string Format(string filePath, string? item, string detail) =>
        item is null ? $"{filePath}: {detail}" : $"{filePath}: '{item}': {detail}";
}
