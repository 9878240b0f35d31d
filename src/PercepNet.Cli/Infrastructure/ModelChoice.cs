namespace PercepNet.Cli.Infrastructure;

/// <summary>The model a verb's <c>--model</c> option names, or the built-in one.</summary>
internal static class ModelChoice
{
    /// <exception cref="InvalidDataException">No file was named and this build has no built-in model.</exception>
    public static PercepNetModel Resolve(string? path) =>
        path != null ? PercepNetModel.Load(path)
        : PercepNetModel.HasDefault ? PercepNetModel.Default
        : throw new InvalidDataException("this build has no built-in model: pass --model FILE");
}
