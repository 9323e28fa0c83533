namespace RecursiveMas.Tests.Generated;

// The "deliberation" system of TinySystems (2 rounds), declared with the DSL, with the search corpus
// the runtime version names in SYSTEM.json ("toolCorpus") set from C#.

[Agent("models/qwen3-96", LatentSteps = 3)]
[Prompt("Reflect on the question. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("Reflect on the question. Question: {question} Tool-caller feedback: {feedback}", When = PromptUse.LaterRounds)]
public partial class Reflector;

[Agent("models/qwen3-96", LatentSteps = 3)]
[Prompt("Reflector signal: {from:Reflector} Question: {question} Use <calculator>expression</calculator> when needed.")]
public partial class ToolCaller;

[RecursiveSystem(Rounds = 2)]
[Deliberation(typeof(Reflector), typeof(ToolCaller), SearchCorpus = "corpus.txt")]
public partial class DeliberationTeam;
