using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;

namespace RecursiveMas.Tokenization;

/// <summary>
/// A SentencePiece precompiled character map (<c>normalizer_spec.precompiled_charsmap</c>: spm_train's default
/// <c>nmt_nfkc</c>, as in T5 and ALBERT), read as sentencepiece's normalizer.cc reads it: a little-endian uint32
/// size, that many bytes of a Darts-clone double-array trie over UTF-8 keys, then the replacements, NUL-terminated
/// UTF-8 strings that the trie's values point into. Read only; maps are built by spm_train.
/// </summary>
/// <remarks>
/// Ours because Microsoft.ML.Tokenizers 2.0.1 loads a map but never applies it to text given as a string (tested:
/// "ﬁ", a tab and U+3000 came through unchanged), so such a model encoded text its vocabulary never saw.
/// </remarks>
internal sealed class PrecompiledCharsMap
{
    // normalizer.cc's kMaxTrieResultsSize: it weighs only the first 32 keys that prefix a text (spm_train refuses
    // maps with more, so this only keeps a hand-made map's result the same).
    const int MaxMatches = 32;

    readonly uint[] _units;
    readonly byte[] _replacements;

    // What KeepsAsItself needs, from every key (as code points): keys of one code point, the first code points of
    // longer keys, and the code points at any later place in a key. Null when VisitKeys could not record them all.
    readonly HashSet<int>? _wholeKeys, _keyStarts, _keyContinuations;

    PrecompiledCharsMap(uint[] units, byte[] replacements)
    {
        _units = units;
        _replacements = replacements;
        (_wholeKeys, _keyStarts, _keyContinuations) = ([], [], []);
        if (!VisitKeys())
            (_wholeKeys, _keyStarts, _keyContinuations) = (null, null, null);
    }

    /// <summary>Reads a map, walking every key once so that a corrupt one is refused here rather than met mid-encode.</summary>
    /// <exception cref="InvalidDataException">The blob is not a well-formed map; the message says what is wrong.</exception>
    public static PrecompiledCharsMap Read(ReadOnlySpan<byte> blob)
    {
        if (blob.Length <= sizeof(uint))
            throw new InvalidDataException($"is {blob.Length} bytes, too short for a trie size and a trie");
        uint trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieBytes >= blob.Length - sizeof(uint) || trieBytes % sizeof(uint) != 0 || trieBytes == 0)
            throw new InvalidDataException($"gives a trie of {trieBytes} bytes, which is not a whole number of 4-byte units within its {blob.Length - sizeof(uint)} bytes followed by replacements");
        var units = new uint[trieBytes / sizeof(uint)];
        for (int i = 0; i < units.Length; i++)
            units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob[(sizeof(uint) * (i + 1))..]);
        return new PrecompiledCharsMap(units, blob[(sizeof(uint) + (int)trieBytes)..].ToArray());
    }

    /// <summary>
    /// normalizer.cc's trie lookup: the length of the longest key that <paramref name="text"/> begins with, and its
    /// replacement; 0 when no key does (the text's first character is then kept as it is).
    /// </summary>
    public int LongestMatch(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> replacement)
    {
        replacement = default;
        int longest = 0, matches = 0;
        uint node = Offset(_units[0]);
        for (int i = 0; i < text.Length && matches < MaxMatches; i++)
        {
            node ^= text[i];
            if (node >= _units.Length || Label(_units[node]) != text[i])
                break;
            uint unit = _units[node];
            node ^= Offset(unit);
            if (HasLeaf(unit))
            {
                // Read checked every leaf's place and string, so node is in range and the string ends.
                longest = i + 1;
                matches++;
                var rest = _replacements.AsSpan(Value(_units[node]));
                replacement = rest[..rest.IndexOf((byte)0)];
            }
        }
        return longest;
    }

    /// <summary>
    /// Whether <paramref name="rune"/>, followed by <paramref name="next"/> (null when what follows is unknown), is
    /// surely kept as itself wherever it stands: no key holds it past its first code point, so no match from before
    /// takes it; it is no key alone; and a longer key beginning with it would need <paramref name="next"/> as its second
    /// code point, which no key holds there. Always false when the keys could not all be read (VisitKeys).
    /// </summary>
    public bool KeepsAsItself(Rune rune, Rune? next) =>
        _keyContinuations is not null && !_keyContinuations.Contains(rune.Value) && !_wholeKeys!.Contains(rune.Value)
        && (!_keyStarts!.Contains(rune.Value) || next is Rune following && !_keyContinuations.Contains(following.Value));

    /// <summary>
    /// Checks every node of the trie once (Darts-clone shares the nodes of common suffixes, so a node may sit under
    /// several keys): every step and leaf stays inside it and every replacement is NUL-terminated UTF-8. Then walks its
    /// keys, recording their code points, within a budget of steps so that a hand-made trie whose shared nodes hold
    /// very many keys cannot stall the load. False when a key is not whole UTF-8 characters, or the budget ran out.
    /// </summary>
    bool VisitKeys()
    {
        // Each node by the base its children sit at, with their labels. Keys never hold a NUL (spm_train stores them
        // NUL-terminated), and a leaf's unit, at label 0, has a label no byte equals.
        var children = new Dictionary<uint, byte[]>();
        var pending = new Stack<uint>();
        uint root = Offset(_units[0]);
        pending.Push(root);
        children[root] = [];
        var labels = new List<byte>();
        while (pending.Count > 0)
        {
            uint node = pending.Pop();
            labels.Clear();
            for (int label = 1; label <= byte.MaxValue; label++)
            {
                uint child = node ^ (uint)label;
                if (child >= _units.Length || Label(_units[child]) != label)
                    continue;
                labels.Add((byte)label);
                uint unit = _units[child];
                uint grandchildren = child ^ Offset(unit);
                if (HasLeaf(unit))
                {
                    if (grandchildren >= _units.Length)
                        throw new InvalidDataException($"has a trie leaf at unit {grandchildren}, past its {_units.Length} units");
                    CheckReplacement(Value(_units[grandchildren]));
                }
                if (children.TryAdd(grandchildren, []))
                    pending.Push(grandchildren);
            }
            children[node] = [.. labels];
        }
        return RecordKeys(root, children);
    }

    bool RecordKeys(uint root, Dictionary<uint, byte[]> children)
    {
        // nmt_nfkc's 224,711 keys take about a million steps.
        const int StepBudget = 1 << 24;
        int steps = 0;
        var key = new List<byte>();
        var frames = new Stack<(uint Node, int Next)>();
        frames.Push((root, 0));
        while (frames.Count > 0)
        {
            var (node, next) = frames.Pop();
            var labels = children[node];
            if (next == labels.Length)
            {
                if (key.Count > 0)
                    key.RemoveAt(key.Count - 1);
                continue;
            }
            if (++steps > StepBudget)
                return false;
            frames.Push((node, next + 1));
            uint child = node ^ labels[next];
            key.Add(labels[next]);
            uint unit = _units[child];
            if (HasLeaf(unit) && !RecordKey(CollectionsMarshal.AsSpan(key)))
                return false;
            frames.Push((child ^ Offset(unit), 0));
        }
        return true;
    }

    void CheckReplacement(int start)
    {
        int length = start < _replacements.Length ? _replacements.AsSpan(start).IndexOf((byte)0) : -1;
        if (length < 0)
            throw new InvalidDataException($"maps a key to byte {start} of its {_replacements.Length} bytes of replacements, where no NUL-terminated string starts");
        if (!Utf8.IsValid(_replacements.AsSpan(start, length)))
            throw new InvalidDataException($"maps a key to the string at byte {start} of its replacements, which is not UTF-8");
    }

    bool RecordKey(ReadOnlySpan<byte> key)
    {
        for (int at = 0, index = 0; at < key.Length; index++)
        {
            if (Rune.DecodeFromUtf8(key[at..], out var rune, out int consumed) != System.Buffers.OperationStatus.Done)
                return false;
            at += consumed;
            if (index > 0)
                _keyContinuations!.Add(rune.Value);
            else if (at == key.Length)
                _wholeKeys!.Add(rune.Value);
            else
                _keyStarts!.Add(rune.Value);
        }
        return true;
    }

    // Darts-clone's unit layout (darts.h, DoubleArrayUnit).
    static bool HasLeaf(uint unit) => ((unit >> 8) & 1) == 1;

    static int Value(uint unit) => (int)(unit & 0x7FFFFFFFu);

    static uint Label(uint unit) => unit & 0x800000FFu;

    static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}
