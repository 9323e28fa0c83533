namespace RecursiveMas.Tests.Generated;

// The "mixture" system of TinySystems (2 rounds), declared with the DSL: the summarizer's feedback to
// the three experts is one fused call in the generated code, as in the runtime.

[Agent("models/llama-64", LatentSteps = 3)]
[Prompt("You are the math expert. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("You are the math expert. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
public partial class Math;

[Agent("models/qwen3-96", LatentSteps = 4)]
[Prompt("You are the code expert. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("You are the code expert. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
public partial class Code;

[Agent("models/mistral-64", LatentSteps = 2)]
[Prompt("You are the science expert. Question: {question}", When = PromptUse.FirstRound)]
[Prompt("You are the science expert. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
public partial class Science;

[Agent("models/qwen2-128", LatentSteps = 3)]
[Prompt("Math: {from:Math} Code: {from:Code} Science: {from:Science} Question: {question} Answer in \\boxed{}.")]
public partial class Summarizer;

[RecursiveSystem(Rounds = 2)]
[Mixture(typeof(Summarizer), typeof(Math), typeof(Code), typeof(Science))]
public partial class MixtureTeam;
