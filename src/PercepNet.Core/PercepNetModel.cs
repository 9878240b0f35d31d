using System.Reflection;
using PercepNet.Nn;

namespace PercepNet;

/// <summary>
/// An immutable trained PercepNet model, shared by any number of <see cref="Denoiser"/> streams
/// (one model, many streams: thread-safe to share).
/// </summary>
public sealed class PercepNetModel
{
    /// <summary>Name of the embedded resource holding the shipped model.</summary>
    internal const string DefaultResource = "PercepNet.default.pnnm";

    private static readonly Lazy<PercepNetModel?> s_default = new(LoadEmbedded);

    private PercepNetModel(ModelFile file, string name)
    {
        if (file.Shape.LookaheadFrames != Features.SignalAnalyzer.LookaheadFrames)
            throw new InvalidDataException(
                $"{name}: the network looks {file.Shape.LookaheadFrames} frames ahead; this build's signal model needs {Features.SignalAnalyzer.LookaheadFrames}");
        File = file;
        Name = name;
        _quantized = new Lazy<QuantizedModel>(() => new QuantizedModel(file));
    }

    private readonly Lazy<QuantizedModel> _quantized;

    /// <summary>The weights and configuration.</summary>
    internal ModelFile File { get; }

    /// <summary>The 8-bit weights, quantised once on first use and shared by every int8 stream.</summary>
    internal QuantizedModel Quantized => _quantized.Value;

    /// <summary>Where the model came from (file path or "built-in").</summary>
    public string Name { get; }

    /// <summary>Number of weights.</summary>
    public long ParameterCount
    {
        get
        {
            long n = 0;
            for (int i = 0; i < File.TensorCount; i++) n += File.Tensor(i).Length;
            return n;
        }
    }

    /// <summary>True when this assembly carries a built-in model.</summary>
    public static bool HasDefault => s_default.Value != null;

    /// <summary>The model shipped inside the library.</summary>
    /// <exception cref="InvalidOperationException">This build carries no model.</exception>
    public static PercepNetModel Default =>
        s_default.Value ?? throw new InvalidOperationException("this build of PercepNet carries no built-in model; load one with PercepNetModel.Load(path)");

    /// <summary>Loads a model file (.pnnm) written by the trainer's export.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a valid model file; the message names the file and the problem.</exception>
    public static PercepNetModel Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{path}: model file not found", path);
        return new PercepNetModel(ModelFile.Load(path), path);
    }

    /// <summary>Wraps an already parsed model file (tests, tools).</summary>
    internal static PercepNetModel FromFile(ModelFile file, string name) => new(file, name);

    /// <summary>Parses a model from bytes (e.g. an embedded resource of your own).</summary>
    public static PercepNetModel FromBytes(ReadOnlySpan<byte> bytes, string name) => new(ModelFile.Parse(bytes, name), name);

    private static PercepNetModel? LoadEmbedded()
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream(DefaultResource);
        if (s == null) return null;
        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        return FromBytes(bytes, "built-in");
    }
}
