namespace RecursiveMas;

/// <summary>
/// Declares an <b>agent</b>: one frozen causal language model that thinks in its own latent space and
/// talks to the other agents of a <see cref="RecursiveSystemAttribute">recursive system</see> through
/// trained links. Put it on a <c>partial class</c>; the source generator adds the agent's typed latent
/// message and its wiring to that class.
/// </summary>
/// <remarks>
/// <para>
/// Describe what the agent is asked with one or more <see cref="PromptAttribute"/>s on the same class.
/// </para>
/// <para>
/// The agent's hidden size d is checked at compile time: add the model's Hugging Face
/// <c>config.json</c> to the project as an <c>AdditionalFiles</c> item whose path ends with
/// <c>&lt;model&gt;/config.json</c> (for example
/// <c>&lt;AdditionalFiles Include="models/Qwen3-1.7B/config.json" /&gt;</c> for
/// <c>[Agent("Qwen3-1.7B")]</c>), and the analyzers read <c>hidden_size</c> from it.
/// </para>
/// <code>
/// [Agent("Qwen3-1.7B", LatentSteps = 32)]
/// [Prompt("You are a planner. Question: {question}", When = PromptUse.FirstRound)]
/// [Prompt("You are a planner. Question: {question} Feedback: {feedback}", When = PromptUse.LaterRounds)]
/// public partial class Planner;
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class AgentAttribute : Attribute
{
    /// <summary>Declares the class as an agent backed by the model in folder <paramref name="model"/>.</summary>
    /// <param name="model">
    /// The model's folder, relative to the model root given when the system is loaded (for example
    /// <c>"Qwen3-1.7B"</c> or <c>"llama/Llama-3.2-1B-Instruct"</c>). The folder holds the Hugging Face files:
    /// <c>config.json</c>, <c>*.safetensors</c> and the tokenizer.
    /// </param>
    public AgentAttribute(string model) => Model = model;

    /// <summary>The model's folder, relative to the model root given at load time.</summary>
    public string Model { get; }

    /// <summary>
    /// The model's hidden size d (the width of its last hidden state and of its input embeddings).
    /// 0, the default, means: take <c>hidden_size</c> from the model's <c>config.json</c> at compile time.
    /// A value other than 0 must equal the <c>config.json</c> value when that file is in the project
    /// (diagnostic RMAS1001 otherwise).
    /// </summary>
    public int HiddenSize { get; set; }

    /// <summary>
    /// m: how many latent thoughts the agent produces per round before its message is sent on
    /// (each one is its last hidden state fed back as the next input embedding through the agent's
    /// inner link). Default 32; the paper's released systems use 16 to 48, and accuracy saturates
    /// around 80. Must be at least 1.
    /// </summary>
    public int LatentSteps { get; set; } = 32;

    /// <summary>
    /// The agent's role name as shown in logs, traces and training outputs (for example
    /// <c>"Planner"</c>). <see langword="null"/>, the default, means the class name.
    /// </summary>
    public string? Role { get; set; }
}
