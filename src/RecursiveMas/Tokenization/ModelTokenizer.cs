using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using RecursiveMas.IO;

namespace RecursiveMas.Tokenization;

/// <summary>
/// The tokenizer of a Hugging Face model directory, with its special tokens, stop tokens and chat
/// template, on top of Microsoft.ML.Tokenizers.
/// </summary>
/// <remarks>
/// Added tokens ("&lt;|im_start|&gt;", "&lt;|eot_id|&gt;", "[INST]", BOS/EOS) are cut out of the text
/// before the model's BPE runs, as Hugging Face does, so a rendered chat prompt encodes to the same ids
/// as in Python. Instances are immutable and safe to share between threads.
/// </remarks>
public sealed class ModelTokenizer
{
    static readonly string[] EndOfTurnTokens = ["<|im_end|>", "<|eot_id|>", "<|eom_id|>"];

    readonly TokenCodec _codec;
    readonly Dictionary<int, AddedToken> _addedById;
    readonly Dictionary<string, int> _addedByContent;
    readonly AddedTokenMatcher _matcher;
    readonly HashSet<int> _specialIds;
    readonly int _longestMatchable;
    readonly DeclaredTokenIds[] _declaredIds;   // generation_config.json's and config.json's, checked by CheckFits

    ModelTokenizer(LoadedTokenizerModel model, TokenizerConfig tokenizerConfig, string tokenizerConfigPath,
        DeclaredTokenIds config, DeclaredTokenIds generationConfig, string? jinjaTemplate)
    {
        _codec = model.Codec;
        SourceFile = model.File;
        _declaredIds = [generationConfig, config];

        // Added tokens: the tokenizer file's first, then the format's own, then tokenizer_config's
        // added_tokens_decoder. An id keeps its first content; any source calling it special makes it special.
        _addedById = [];
        foreach (var token in model.AddedTokens.Concat(_codec.BuiltInSpecialTokens).Concat(tokenizerConfig.AddedTokens))
        {
            if (!_addedById.TryGetValue(token.Id, out var existing))
                _addedById[token.Id] = token;
            else if (token.Special && !existing.Special && existing.Content == token.Content)
                _addedById[token.Id] = existing with { Special = true };
        }
        _addedByContent = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in _addedById.Values.OrderBy(t => t.Id))
            _addedByContent.TryAdd(token.Content, token.Id);

        (BosToken, BosTokenId) = ResolveRole(tokenizerConfig, tokenizerConfigPath, "bos_token",
            [.. generationConfig.BosTokenIds, .. config.BosTokenIds], _codec.DefaultBosToken ?? model.PostProcessorBosToken);
        (EosToken, EosTokenId) = ResolveRole(tokenizerConfig, tokenizerConfigPath, "eos_token",
            [.. generationConfig.EosTokenIds, .. config.EosTokenIds], _codec.DefaultEosToken ?? "<|endoftext|>");
        (PadToken, PadTokenId) = ResolveRole(tokenizerConfig, tokenizerConfigPath, "pad_token",
            [.. generationConfig.PadTokenIds, .. config.PadTokenIds], null);
        (UnknownToken, UnknownTokenId) = ResolveRole(tokenizerConfig, tokenizerConfigPath, "unk_token",
            [], _codec.DefaultUnknownToken ?? model.UnknownToken);

        var stops = new HashSet<int>();
        if (EosTokenId is int eos)
            stops.Add(eos);
        stops.UnionWith(generationConfig.EosTokenIds);
        stops.UnionWith(config.EosTokenIds);
        foreach (var token in EndOfTurnTokens)
            if (TokenToId(token) is int id)
                stops.Add(id);
        StopTokenIds = stops.ToFrozenSet();

        _specialIds = [.. _addedById.Values.Where(t => t.Special).Select(t => t.Id), .. stops];
        foreach (var id in new[] { BosTokenId, EosTokenId, PadTokenId, UnknownTokenId })
            if (id is int value)
                _specialIds.Add(value);

        // Role tokens the vocabulary spells as ordinary entries (GPT-2's <|endoftext|>, SentencePiece's
        // <s>) must still be matched whole in text.
        var matchable = _addedById.Values.Select(t => (t.Content, t.Id)).ToList();
        foreach (var (text, id) in new[] { (BosToken, BosTokenId), (EosToken, EosTokenId), (PadToken, PadTokenId), (UnknownToken, UnknownTokenId) })
            if (text is { Length: > 0 } && id is int value && !_addedByContent.ContainsKey(text))
                matchable.Add((text, value));
        _matcher = new AddedTokenMatcher(matchable);
        _longestMatchable = matchable.Select(t => _codec.SpellsBytes ? Encoding.UTF8.GetByteCount(t.Content) : t.Content.Length).DefaultIfEmpty(0).Max();

        int maxId = Math.Max(_codec.MaxId, _addedById.Count == 0 ? -1 : _addedById.Keys.Max());
        VocabularySize = maxId + 1;
        AddBosToken = tokenizerConfig.AddBosToken
            ?? (model.PostProcessorBosToken is not null && model.PostProcessorBosToken == BosToken || _codec.DefaultAddsBos);
        JinjaChatTemplate = jinjaTemplate;
        ChatTemplate = ChooseChatTemplate(jinjaTemplate, config.ModelType);
    }

    /// <summary>The Microsoft.ML.Tokenizers model underneath. Prefer <see cref="Encode"/>: it also handles added tokens that the model file does not declare and the per-format details.</summary>
    public Tokenizer Inner => _codec.Inner;

    /// <summary>The tokenizer file that was loaded.</summary>
    public string SourceFile { get; }

    /// <summary>One more than the largest id of the vocabulary and the added tokens.</summary>
    public int VocabularySize { get; }

    /// <summary>
    /// Throws a <see cref="ModelFileException"/> naming this tokenizer's file when it has ids past a model's embedding
    /// matrix of <paramref name="modelVocabSize"/> rows (an added token's id, say): such an id would index outside the
    /// matrix at the first prompt that holds the token, with a message naming neither file. The stop, BOS and pad ids
    /// generation_config.json and config.json declare are held to the same rows (<see cref="DeclaredTokenIds.CheckFits"/>).
    /// </summary>
    public void CheckFits(int modelVocabSize)
    {
        if (VocabularySize > modelVocabSize)
            throw new ModelFileException(SourceFile, "vocab_size",
                $"the tokenizer has ids up to {VocabularySize - 1} but config.json's vocab_size is {modelVocabSize}");
        foreach (var declared in _declaredIds)
            declared.CheckFits(modelVocabSize);
    }

    public int? BosTokenId { get; }

    public int? EosTokenId { get; }

    public int? PadTokenId { get; }

    public int? UnknownTokenId { get; }

    public string? BosToken { get; }

    public string? EosToken { get; }

    public string? PadToken { get; }

    public string? UnknownToken { get; }

    /// <summary>
    /// Ids that end generation: EOS, every eos_token_id of generation_config.json and config.json, and the
    /// end-of-turn tokens &lt;|im_end|&gt;, &lt;|eot_id|&gt; and &lt;|eom_id|&gt; where the vocabulary has them.
    /// </summary>
    public IReadOnlySet<int> StopTokenIds { get; }

    /// <summary>Whether Hugging Face adds BOS when encoding raw text (add_bos_token, or the tokenizer.json post-processor, or SentencePiece's default).</summary>
    public bool AddBosToken { get; }

    /// <summary>All added tokens, by id.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => [.. _addedById.Values.OrderBy(t => t.Id)];

    /// <summary>The model's Jinja chat template text, if it has one.</summary>
    public string? JinjaChatTemplate { get; }

    /// <summary>The chat format recognised from the Jinja template or model type (see <see cref="ChatTemplate.Detect"/>).</summary>
    public ChatTemplate ChatTemplate { get; }

    /// <summary>
    /// Loads the tokenizer of a Hugging Face model directory. The first of these that is present and
    /// supported is used: <c>tokenizer.json</c> (byte-level BPE), <c>vocab.json</c> + <c>merges.txt</c>,
    /// <c>tokenizer.model</c> (SentencePiece, or tiktoken as Llama 3's original), a <c>*.tiktoken</c> file.
    /// A tokenizer.json of an unsupported kind (Mistral's SentencePiece-style one) falls through to the
    /// next file. Then tokenizer_config.json, generation_config.json and config.json supply special
    /// tokens, stop ids and the chat template. First finishes a replacement of the folder a process was ended in between
    /// its two renames (<see cref="FolderRecovery"/> says so), or refuses it with an <see cref="IOException"/> naming the folders.
    /// </summary>
    /// <exception cref="ModelFileException">A file is missing, malformed or unsupported; the message names file and field.</exception>
    public static ModelTokenizer Load(string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        // As ModelConfig.Load does: a caller that reads the tokenizer before the model (or only the tokenizer) would
        // otherwise find the folder a killed rmas pretrain left beside its place missing.
        string? recovery = SwappedFolder.FinishInterrupted(modelDirectory);
        if (!Directory.Exists(modelDirectory))
            throw new ModelFileException(modelDirectory, null, "model directory does not exist");
        string At(string name) => Path.Combine(modelDirectory, name);

        string tokenizerConfigPath = At("tokenizer_config.json");
        var tokenizerConfig = TokenizerConfig.Read(tokenizerConfigPath);
        var config = DeclaredTokenIds.Read(At("config.json"));
        var generationConfig = DeclaredTokenIds.Read(At("generation_config.json"));
        var model = LoadModel(modelDirectory, tokenizerConfig);
        string? jinja = ReadJinjaTemplate(modelDirectory, tokenizerConfig);
        return new ModelTokenizer(model, tokenizerConfig, tokenizerConfigPath, config, generationConfig, jinja) { FolderRecovery = recovery };
    }

    /// <summary>
    /// What <see cref="Load"/> did to the model folder, as <see cref="Models.ModelConfig.FolderRecovery"/> says it: a
    /// replacement a process was ended in, finished; null when nothing (a model load after it then has nothing to say).
    /// </summary>
    public string? FolderRecovery { get; private init; }

    /// <summary>
    /// The ids of <paramref name="text"/>. Added and special token strings in the text become their single
    /// ids; everything else goes through the model's BPE. Chat prompts from <see cref="ChatTemplate"/> already
    /// hold the BOS text where the model wants it, so encode those with <paramref name="addBos"/> false.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="addBos">Put the BOS id first; nothing happens when the model has no BOS, or when the text already starts with it.</param>
    /// <param name="cancellationToken">Checked before each stretch of text between added tokens.</param>
    public IReadOnlyList<int> Encode(string text, bool addBos = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (var (start, length, tokenId) in _matcher.Split(text))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (tokenId >= 0)
                ids.Add(tokenId);
            else
                _codec.Encode(text.Substring(start, length), start == 0, ids);
        }
        if (addBos && BosTokenId is int bos && (ids.Count == 0 || ids[0] != bos))
            ids.Insert(0, bos);
        return ids;
    }

    /// <summary>
    /// A count of ids that <see cref="Encode"/> of <paramref name="text"/> never goes below, from the text's length and
    /// the vocabulary's longest entry (<see cref="TokenCodec.LongestTokenChars"/>), without encoding it: enough to
    /// refuse a text far longer than a context (a 50 MB question took 7.6 GB to encode before it was refused).
    /// </summary>
    public long MinimumTokenCount(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        long count = 0;
        foreach (var (start, length, tokenId) in _matcher.Split(text))
            count += tokenId >= 0 ? 1 : ((long)_codec.Normalize(text.Substring(start, length)).Length + _codec.LongestTokenChars - 1) / _codec.LongestTokenChars;
        return count;
    }

    /// <summary>
    /// A count of ids that <see cref="Encode"/> never goes below for any text that holds <paramref name="text"/> (a
    /// prompt rendered around a question), without rendering or normalizing anything: a question far longer than a
    /// context is refused before it is copied into its prompts. 0 where no bound holds (<see cref="TokenCodec.KeptParts"/>,
    /// <see cref="LongestToken"/>).
    /// </summary>
    /// <remarks>
    /// Every id of the whole stands for at most <see cref="LongestToken"/> units of it (UTF-8 bytes for a byte-level
    /// vocabulary, else chars): an added token for its content, cut out before normalizing; any other id for its
    /// entry's spelling of normalized text (a byte-level entry spells a byte a char). The whole's normalized text keeps
    /// at least what <see cref="TokenCodec.KeptParts"/> counts of <paramref name="text"/>, so it is at least that many
    /// units / <see cref="LongestToken"/> ids. Exact where it can be: k copies of the longest entry encode to k ids and
    /// are bounded at k (without a normalizer; ASCII under a Unicode one).
    /// </remarks>
    public long MinimumTokenCountWithin(ReadOnlySpan<char> text)
    {
        if (LongestToken == int.MaxValue || _codec.KeptParts(text) is not long parts)
            return 0;
        long partsPerId = (long)LongestToken * TokenCodec.PartsPerUnit;
        return (parts + partsPerId - 1) / partsPerId;
    }

    /// <summary>
    /// The most text one id stands for, in UTF-8 bytes for a byte-level vocabulary (its entries spell a byte a char)
    /// and in chars otherwise: the longest of the vocabulary's entries and the strings matched as added tokens.
    /// <see cref="int.MaxValue"/> where an id may stand for any run of chars (a SentencePiece model without byte
    /// fallback: its unknown piece).
    /// </summary>
    public int LongestToken => Math.Max(_codec.LongestTokenChars, _longestMatchable);

    /// <summary>
    /// The first stretch of <paramref name="text"/> that <see cref="Encode"/> would turn into a single added
    /// or special token id ("&lt;|im_end|&gt;", BOS/EOS text, ...), or null. Text from outside (a user's
    /// question) must have none, or it could write control tokens into a prompt.
    /// </summary>
    public string? FindAddedToken(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var (start, length, tokenId) in _matcher.Split(text))
            if (tokenId >= 0)
                return text.Substring(start, length);
        return null;
    }

    /// <summary>
    /// The text of <paramref name="ids"/>. Byte-level tokens are joined as bytes before UTF-8 decoding, so
    /// a character split across tokens (most emoji) comes back whole. Ids the tokenizer does not know
    /// (e.g. the padding rows models add to their embedding matrix) decode to nothing.
    /// </summary>
    /// <param name="ids">The ids.</param>
    /// <param name="skipSpecialTokens">Leave out special tokens (<see cref="IsSpecial"/>).</param>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var output = new StringBuilder();
        var run = new List<int>();
        void Flush()
        {
            if (run.Count == 0)
                return;
            output.Append(_codec.Decode(run, atStartOfText: output.Length == 0));
            run.Clear();
        }
        foreach (int id in ids)
        {
            if (skipSpecialTokens && _specialIds.Contains(id))
            {
                Flush();
            }
            else if (_addedById.TryGetValue(id, out var added))
            {
                Flush();
                output.Append(added.Content);
            }
            else if (_codec.TryGetToken(id, out _))
            {
                run.Add(id);
            }
        }
        Flush();
        return output.ToString();
    }

    /// <summary>Whether <paramref name="id"/> is a special token: a special added token, BOS/EOS/PAD/UNK, or a stop token.</summary>
    public bool IsSpecial(int id) => _specialIds.Contains(id);

    /// <summary>The id of an added token or vocabulary entry spelled exactly <paramref name="token"/>, if any.</summary>
    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_addedByContent.TryGetValue(token, out int id) || _codec.TryGetId(token, out id))
            return id;
        return null;
    }

    /// <summary>The added token or vocabulary entry of <paramref name="id"/> (byte-level entries in their 'Ġ' spelling), if any.</summary>
    public string? IdToToken(int id) =>
        _addedById.TryGetValue(id, out var added) ? added.Content
        : _codec.TryGetToken(id, out var token) ? token
        : null;

    /// <summary>
    /// A role token from tokenizer_config.json (where a key set to null means "none", which wins over
    /// config ids), else from generation_config.json/config.json ids, else the format's default spelling.
    /// </summary>
    (string? Token, int? Id) ResolveRole(TokenizerConfig tokenizerConfig, string tokenizerConfigPath, string key,
        IReadOnlyList<int> configIds, string? fallback)
    {
        if (tokenizerConfig.Tokens.TryGetValue(key, out var text))
        {
            if (text is null)
                return (null, null);
            return (text, TokenToId(text)
                ?? throw new ModelFileException(tokenizerConfigPath, key, $"token \"{text}\" is neither in the vocabulary nor an added token"));
        }
        if (configIds.Count > 0)
            return (IdToToken(configIds[0]), configIds[0]);
        if (fallback is not null && TokenToId(fallback) is int id)
            return (fallback, id);
        return (null, null);
    }

    ChatTemplate ChooseChatTemplate(string? jinjaTemplate, string? modelType)
    {
        var template = ChatTemplate.Detect(jinjaTemplate, modelType);
        // Without a Jinja template the kind comes from model_type alone; a tiny model of a Llama or Qwen
        // architecture but with its own small vocabulary has no chat tokens, and would get them spelled
        // out as text. Plain is the honest format there.
        string? marker = template.Kind switch
        {
            ChatTemplateKind.ChatMl or ChatTemplateKind.Qwen3 => "<|im_start|>",
            ChatTemplateKind.Llama3 => "<|start_header_id|>",
            ChatTemplateKind.Gemma => "<start_of_turn>",
            _ => null,
        };
        if (jinjaTemplate is null && marker is not null && !_addedByContent.ContainsKey(marker))
            template = ChatTemplate.For(ChatTemplateKind.Plain);
        return template.WithSpecialTokens(BosToken, EosToken);
    }

    static LoadedTokenizerModel LoadModel(string directory, TokenizerConfig tokenizerConfig)
    {
        string At(string name) => Path.Combine(directory, name);
        var candidates = new List<Func<LoadedTokenizerModel>>();
        if (File.Exists(At("tokenizer.json")))
            candidates.Add(() => HfTokenizerJsonReader.Read(At("tokenizer.json")));
        if (File.Exists(At("vocab.json")) && File.Exists(At("merges.txt")))
        {
            // Qwen2's slow tokenizer pre-tokenizes with its own pattern, not GPT-2's.
            string pattern = tokenizerConfig.TokenizerClass?.StartsWith("Qwen2Tokenizer", StringComparison.Ordinal) == true
                ? PreTokenizerPatterns.Qwen2
                : PreTokenizerPatterns.Gpt2;
            candidates.Add(() => VocabMergesReader.Read(At("vocab.json"), At("merges.txt"), pattern, tokenizerConfig.AddedTokens));
        }
        if (File.Exists(At("tokenizer.model")))
        {
            candidates.Add(() => TiktokenFileReader.LooksLikeTiktoken(At("tokenizer.model"))
                ? TiktokenFileReader.Read(At("tokenizer.model"), tokenizerConfig.AddedTokens)
                : SentencePieceModelReader.Read(At("tokenizer.model"), tokenizerConfig.Legacy ?? true));
        }
        var tiktoken = Directory.GetFiles(directory, "*.tiktoken").Order(StringComparer.Ordinal).FirstOrDefault();
        if (tiktoken is not null)
            candidates.Add(() => TiktokenFileReader.Read(tiktoken, tokenizerConfig.AddedTokens));
        if (candidates.Count == 0)
            throw new ModelFileException(directory, null,
                "holds no tokenizer: expected tokenizer.json, vocab.json with merges.txt, tokenizer.model or a *.tiktoken file");

        UnsupportedTokenizerException? firstUnsupported = null;
        foreach (var candidate in candidates)
        {
            try
            {
                return candidate();
            }
            catch (UnsupportedTokenizerException e)
            {
                firstUnsupported ??= e;
            }
        }
        // The subtype only steers the fallback; callers see the one documented exception type.
        throw new ModelFileException(firstUnsupported!.FilePath, firstUnsupported.Item, firstUnsupported.Detail);
    }

    /// <summary>
    /// The Jinja template: <c>chat_template.jinja</c> (where recent transformers versions save it), else
    /// tokenizer_config.json's <c>chat_template</c>, else <c>chat_template.json</c>.
    /// </summary>
    static string? ReadJinjaTemplate(string directory, TokenizerConfig tokenizerConfig)
    {
        string jinjaPath = Path.Combine(directory, "chat_template.jinja");
        if (File.Exists(jinjaPath))
        {
            try
            {
                return File.ReadAllText(jinjaPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ModelFileException(jinjaPath, null, $"cannot be read: {e.Message}", e);
            }
        }
        if (tokenizerConfig.ChatTemplate is not null)
            return tokenizerConfig.ChatTemplate;
        string jsonPath = Path.Combine(directory, "chat_template.json");
        if (!File.Exists(jsonPath))
            return null;
        using var document = JsonFile.Parse(jsonPath);
        var root = JsonFile.ExpectObject(jsonPath, document.RootElement, "(root)");
        return JsonFile.Optional(root, "chat_template") is JsonElement value
            ? TokenizerConfig.ReadChatTemplate(jsonPath, value, "chat_template")
            : null;
    }
}
