
namespace RecursiveMas.Tokenization;

/// <summary>
/// Learns a byte-level BPE from text, for the tiny models we pre-train ourselves. Text is cut at the
/// special tokens and pre-tokenized with GPT-2's pattern, exactly as the written tokenizer.json will
/// pre-tokenize at encode time, so no merge is learned that encoding could not use.
/// </summary>
/// <remarks>
/// Deterministic: the most frequent adjacent pair is merged first, ties going to the pair whose left
/// token, then right token, sorts first by ordinal comparison of their byte-level spellings. Pairs seen
/// fewer than twice are not merged, so a small corpus can yield fewer tokens than asked for. Counts are
/// kept per distinct word and updated incrementally, with a priority queue over pair counts, so a few
/// thousand merges over a few megabytes take seconds.
/// </remarks>
public static class ByteLevelBpeTrainer
{
    /// <summary>Learns merges until the vocabulary holds <paramref name="vocabSize"/> tokens or no pair repeats.</summary>
    /// <param name="corpus">Training texts.</param>
    /// <param name="vocabSize">Total size wanted: special tokens + 256 bytes + learned tokens.</param>
    /// <param name="specialTokens">Special tokens, given ids 0, 1, ... in this order and never split or learned from.</param>
    /// <param name="splitPattern">The pre-tokenization regex no merge crosses; null = GPT-2's (see <see cref="PreTokenizerPatterns"/>).</param>
    public static TrainedByteLevelBpe Train(IEnumerable<string> corpus, int vocabSize, IReadOnlyList<string> specialTokens, string? splitPattern = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(specialTokens);
        if (specialTokens.Any(string.IsNullOrEmpty))
            throw new ArgumentException("Special tokens must not be empty.", nameof(specialTokens));
        if (specialTokens.Distinct(StringComparer.Ordinal).Count() != specialTokens.Count)
            throw new ArgumentException("Special tokens must be distinct.", nameof(specialTokens));
        if (vocabSize < specialTokens.Count + 256)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize,
                $"The vocabulary needs room for {specialTokens.Count} special tokens and 256 bytes.");

        var tokens = new List<string>(vocabSize);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var special in specialTokens)
            AddToken(special);
        int byteBase = tokens.Count;
        for (int b = 0; b < 256; b++)
            AddToken(ByteLevelAlphabet.ByteToChar((byte)b).ToString());

        var (words, counts) = CountWords(corpus, specialTokens, byteBase, splitPattern ?? PreTokenizerPatterns.Gpt2);
        var merges = new List<(string Left, string Right)>();
        var pairCounts = new Dictionary<long, long>();
        var pairWords = new Dictionary<long, HashSet<int>>();
        var queue = new PriorityQueue<long, (long Count, int Left, int Right)>(new PriorityComparer(tokens));
        for (int w = 0; w < words.Count; w++)
            for (int i = 0; i + 1 < words[w].Length; i++)
            {
                long pair = Pack(words[w][i], words[w][i + 1]);
                pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + counts[w];
                Occurrences(pairWords, pair).Add(w);
            }
        foreach (var (pair, count) in pairCounts)
            queue.Enqueue(pair, (count, Left(pair), Right(pair)));

        var specials = specialTokens.ToHashSet(StringComparer.Ordinal);
        while (tokens.Count < vocabSize && queue.TryDequeue(out long best, out var priority))
        {
            // The queue holds stale entries for pairs whose count has changed since; skip them.
            if (!pairCounts.TryGetValue(best, out long count) || count != priority.Count)
                continue;
            if (count < 2)
                break;
            int left = Left(best), right = Right(best);
            string merged = tokens[left] + tokens[right];
            pairCounts.Remove(best);
            if (specials.Contains(merged))
                continue; // Never learn a token that would collide with a special token's id.
            if (!index.TryGetValue(merged, out int mergedId))
                mergedId = AddToken(merged);
            merges.Add((tokens[left], tokens[right]));

            var deltas = new Dictionary<long, long>();
            foreach (int w in pairWords[best])
            {
                int[] before = words[w];
                int[] after = Merge(before, left, right, mergedId);
                if (after.Length == before.Length)
                    continue;
                for (int i = 0; i + 1 < before.Length; i++)
                {
                    long pair = Pack(before[i], before[i + 1]);
                    deltas[pair] = deltas.GetValueOrDefault(pair) - counts[w];
                }
                for (int i = 0; i + 1 < after.Length; i++)
                {
                    long pair = Pack(after[i], after[i + 1]);
                    deltas[pair] = deltas.GetValueOrDefault(pair) + counts[w];
                    Occurrences(pairWords, pair).Add(w);
                }
                words[w] = after;
            }
            pairWords.Remove(best);
            foreach (var (pair, delta) in deltas)
            {
                if (delta == 0 || pair == best)
                    continue;
                long updated = pairCounts.GetValueOrDefault(pair) + delta;
                if (updated > 0)
                {
                    pairCounts[pair] = updated;
                    queue.Enqueue(pair, (updated, Left(pair), Right(pair)));
                }
                else
                {
                    pairCounts.Remove(pair);
                }
            }
        }

        var vocabulary = new Dictionary<string, int>(index, StringComparer.Ordinal);
        var added = specialTokens.Select((content, id) => new AddedToken(id, content, Special: true)).ToList();
        return new TrainedByteLevelBpe(vocabulary, merges, added, splitPattern);

        int AddToken(string token)
        {
            index[token] = tokens.Count;
            tokens.Add(token);
            return tokens.Count - 1;
        }
    }

    /// <summary>The distinct pre-tokenized words of the corpus as byte-symbol ids, with their counts, in ordinal order.</summary>
    static (List<int[]> Words, List<long> Counts) CountWords(IEnumerable<string> corpus, IReadOnlyList<string> specialTokens, int byteBase, string splitPattern)
    {
        var pattern = PreTokenizerPatterns.Compile(splitPattern);
        var preTokenizer = new RegexSplitPreTokenizer([pattern]);
        var matcher = new AddedTokenMatcher(specialTokens.Select((t, i) => (t, i)));
        var wordCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var text in corpus)
        {
            if (string.IsNullOrEmpty(text))
                continue;
            foreach (var (start, length, tokenId) in matcher.Split(text))
            {
                if (tokenId >= 0)
                    continue;
                string segment = text.Substring(start, length);
                foreach (var (offset, pieceLength) in preTokenizer.PreTokenize(segment))
                {
                    string word = ByteLevelAlphabet.Encode(segment.Substring(offset, pieceLength));
                    wordCounts[word] = wordCounts.GetValueOrDefault(word) + 1;
                }
            }
        }
        var words = new List<int[]>(wordCounts.Count);
        var counts = new List<long>(wordCounts.Count);
        var bytes = new List<byte>();
        foreach (var (word, count) in wordCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            bytes.Clear();
            ByteLevelAlphabet.TryDecode(word, bytes);
            words.Add([.. bytes.Select(b => byteBase + b)]);
            counts.Add(count);
        }
        return (words, counts);
    }

    static int[] Merge(int[] symbols, int left, int right, int merged)
    {
        var output = new List<int>(symbols.Length);
        for (int i = 0; i < symbols.Length; i++)
        {
            if (i + 1 < symbols.Length && symbols[i] == left && symbols[i + 1] == right)
            {
                output.Add(merged);
                i++;
            }
            else
            {
                output.Add(symbols[i]);
            }
        }
        return [.. output];
    }

    static HashSet<int> Occurrences(Dictionary<long, HashSet<int>> pairWords, long pair)
    {
        if (!pairWords.TryGetValue(pair, out var set))
            pairWords[pair] = set = [];
        return set;
    }

    static long Pack(int left, int right) => ((long)left << 32) | (uint)right;

    static int Left(long pair) => (int)(pair >> 32);

    static int Right(long pair) => (int)(pair & 0xFFFFFFFF);

    /// <summary>Highest count first; ties by the left token's spelling, then the right's (ordinal).</summary>
    sealed class PriorityComparer(List<string> tokens) : IComparer<(long Count, int Left, int Right)>
    {
        public int Compare((long Count, int Left, int Right) x, (long Count, int Left, int Right) y)
        {
            int byCount = y.Count.CompareTo(x.Count);
            if (byCount != 0)
                return byCount;
            int byLeft = string.CompareOrdinal(tokens[x.Left], tokens[y.Left]);
            return byLeft != 0 ? byLeft : string.CompareOrdinal(tokens[x.Right], tokens[y.Right]);
        }
    }
}
