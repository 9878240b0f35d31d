using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Nn;

/// <summary>
/// Layer sizes of the PercepNet network (paper topology, sizes configurable):
/// <code>
/// features[70 or 104] -> (x - mean) / std -> dense InputDense, tanh
///   -> conv1d kernel Conv1Kernel, Conv1Channels, tanh -> conv1d kernel Conv2Kernel, Conv2Channels, tanh  (= c)
///   -> SharedGruLayers GRUs of SharedGru units (h1..hL)
///   -> gain GRU (input hL, GainGru units) (= hg)      -> dense 34 sigmoid on [c, h1..hL, hg]  = gains
///   -> strength GRU (input [c, hL], StrengthGru units) -> dense 34 sigmoid                    = strengths
///   -> dense 1 sigmoid on hL                                                                = VAD
/// </code>
/// Both convolutions are causal (they see the current and past frames only); the output for a
/// frame is emitted <see cref="LookaheadFrames"/> frames later, which is how the network sees two
/// future frames (see docs/training.md). The skip connections into the heads follow the public
/// reimplementation whose paper-size variant has 7.96M weights.
/// </summary>
public sealed record NetworkShape
{
    /// <summary>Largest width accepted for any layer (a sanity bound for files).</summary>
    public const int MaxWidth = 4096;

    /// <summary>Largest convolution kernel accepted.</summary>
    public const int MaxKernel = 16;

    /// <summary>Largest look-ahead accepted, in frames.</summary>
    public const int MaxLookahead = 16;

    /// <summary>
    /// Input features per frame: <see cref="FeatureExtractor.Count"/> (70, the paper's set) or
    /// <see cref="FeatureExtractor.ExtendedCount"/> (104: the same and 34 band levels above a tracked
    /// noise floor, <see cref="NoiseFloorTracker"/>).
    /// </summary>
    public int Features { get; init; } = FeatureExtractor.Count;

    public int InputDense { get; init; } = 128;
    public int Conv1Kernel { get; init; } = 5;
    public int Conv1Channels { get; init; } = 512;
    public int Conv2Kernel { get; init; } = 3;
    public int Conv2Channels { get; init; } = 512;
    public int SharedGruLayers { get; init; } = 3;
    public int SharedGru { get; init; } = 512;
    public int GainGru { get; init; } = 512;
    public int StrengthGru { get; init; } = 128;

    /// <summary>Frames between an input frame and the output for it (2 = 20 ms, the paper's).</summary>
    public int LookaheadFrames { get; init; } = 2;

    /// <summary>The paper's sizes: 7,963,077 weights.</summary>
    public static NetworkShape Paper { get; } = new();

    /// <summary>A model that trains on a 2-core CPU in hours: 1,810,341 weights.</summary>
    public static NetworkShape Small { get; } = new()
    {
        InputDense = 128, Conv1Channels = 256, Conv2Channels = 256, SharedGru = 224, GainGru = 224, StrengthGru = 96,
    };

    /// <summary>Between small and paper (the capacity run medium-02): 3,606,277 weights.</summary>
    public static NetworkShape Medium { get; } = new()
    {
        InputDense = 128, Conv1Channels = 384, Conv2Channels = 384, SharedGru = 320, GainGru = 320, StrengthGru = 128,
    };

    /// <summary>A preset by name ("paper", "medium" or "small"), or null.</summary>
    public static NetworkShape? FromPreset(string name) => name.ToLowerInvariant() switch
    {
        "paper" => Paper,
        "medium" => Medium,
        "small" => Small,
        _ => null,
    };

    /// <summary>Inputs of the gain head: conv output, every shared GRU, the gain GRU.</summary>
    public int GainHeadInputs => Conv2Channels + SharedGruLayers * SharedGru + GainGru;

    /// <summary>Inputs of the strength GRU: conv output and the last shared GRU.</summary>
    public int StrengthGruInputs => Conv2Channels + SharedGru;

    /// <summary>
    /// The layers in file order: the one description of the topology that the float engine, the
    /// int8 engine, the model file and the TorchSharp model are built from. Names are the TorchSharp
    /// parameter prefixes. The wiring is in the sizes: the first shared GRU reads the conv output,
    /// each further one the previous GRU; the gain GRU reads the last shared GRU; the strength GRU
    /// reads [conv output, last shared GRU] (<see cref="StrengthGruInputs"/>); the gain head reads
    /// [conv output, every shared GRU, gain GRU] (<see cref="GainHeadInputs"/>); the VAD head reads the
    /// last shared GRU.
    /// </summary>
    public IReadOnlyList<LayerSpec> Layers()
    {
        var l = new List<LayerSpec>
        {
            new(InputLayer, LayerKind.Dense, Features, InputDense),
            new(Conv1Layer, LayerKind.Conv1d, InputDense, Conv1Channels, Conv1Kernel),
            new(Conv2Layer, LayerKind.Conv1d, Conv1Channels, Conv2Channels, Conv2Kernel),
        };
        for (int i = 0; i < SharedGruLayers; i++) l.Add(new(SharedGruLayer(i), LayerKind.Gru, i == 0 ? Conv2Channels : SharedGru, SharedGru));
        l.Add(new(GainGruLayer, LayerKind.Gru, SharedGru, GainGru));
        l.Add(new(StrengthGruLayer, LayerKind.Gru, StrengthGruInputs, StrengthGru));
        l.Add(new(GainHeadLayer, LayerKind.Dense, GainHeadInputs, FrameLayout.BandCount));
        l.Add(new(StrengthHeadLayer, LayerKind.Dense, StrengthGru, FrameLayout.BandCount));
        l.Add(new(VadHeadLayer, LayerKind.Dense, SharedGru, 1));
        return l;
    }

    /// <summary>
    /// What layer <paramref name="name"/> reads, in order: a list of (source, width), where source is
    /// another layer's name or "features" (the network input). The widths add up to the layer's
    /// <see cref="LayerSpec.Inputs"/>; this is the wiring <see cref="Layers"/> describes in its sizes.
    /// </summary>
    public IReadOnlyList<(string Source, int Width)> InputParts(string name)
    {
        string lastShared = SharedGruLayer(SharedGruLayers - 1);
        if (name == InputLayer) return [(FeaturesSource, Features)];
        if (name == Conv1Layer) return [(InputLayer, InputDense)];
        if (name == Conv2Layer) return [(Conv1Layer, Conv1Channels)];
        if (name == SharedGruLayer(0)) return [(Conv2Layer, Conv2Channels)];
        for (int i = 1; i < SharedGruLayers; i++)
            if (name == SharedGruLayer(i)) return [(SharedGruLayer(i - 1), SharedGru)];
        if (name == GainGruLayer || name == VadHeadLayer) return [(lastShared, SharedGru)];
        if (name == StrengthGruLayer) return [(Conv2Layer, Conv2Channels), (lastShared, SharedGru)];
        if (name == StrengthHeadLayer) return [(StrengthGruLayer, StrengthGru)];
        if (name == GainHeadLayer)
            return [(Conv2Layer, Conv2Channels), .. Enumerable.Range(0, SharedGruLayers).Select(i => (SharedGruLayer(i), SharedGru)), (GainGruLayer, GainGru)];
        throw new ArgumentException($"no layer named {name}", nameof(name));
    }

    /// <summary>The source name of the network input in <see cref="InputParts"/>.</summary>
    public const string FeaturesSource = "features";

    /// <summary>The layer named <paramref name="name"/> (one of the *Layer names).</summary>
    public LayerSpec Layer(string name) =>
        Layers().FirstOrDefault(l => l.Name == name) ?? throw new ArgumentException($"no layer named {name}", nameof(name));

    /// <summary>Layer names (TorchSharp parameter prefixes).</summary>
    public const string InputLayer = "input", Conv1Layer = "conv1", Conv2Layer = "conv2", GainGruLayer = "gain_gru",
        StrengthGruLayer = "strength_gru", GainHeadLayer = "gain_head", StrengthHeadLayer = "strength_head", VadHeadLayer = "vad_head";

    /// <summary>Name of shared GRU <paramref name="i"/> (0-based).</summary>
    public static string SharedGruLayer(int i) => $"grus.{i}";

    /// <summary>
    /// Every weight tensor in file order (<see cref="Layers"/>, each layer's tensors in
    /// <see cref="LayerSpec.Tensors"/> order), named as the TorchSharp model names its parameters.
    /// </summary>
    public IReadOnlyList<(string Name, int[] Shape)> Tensors() => Layers().SelectMany(l => l.Tensors()).ToList();

    /// <summary>Total number of weights and biases.</summary>
    public long ParameterCount => Tensors().Sum(x => x.Shape.Aggregate(1L, (a, b) => a * b));

    /// <summary>Null when every size is in range, else a message naming the first bad field.</summary>
    public string? Problem()
    {
        foreach (var (name, value) in new[]
        {
            (nameof(InputDense), InputDense), (nameof(Conv1Channels), Conv1Channels), (nameof(Conv2Channels), Conv2Channels),
            (nameof(SharedGru), SharedGru), (nameof(GainGru), GainGru), (nameof(StrengthGru), StrengthGru),
        })
        {
            if (value < 1 || value > MaxWidth) return $"{name} = {value}, expected 1..{MaxWidth}";
        }
        if (Features != FeatureExtractor.Count && Features != FeatureExtractor.ExtendedCount)
            return $"{nameof(Features)} = {Features}, expected {FeatureExtractor.Count} or {FeatureExtractor.ExtendedCount}";
        if (Conv1Kernel < 1 || Conv1Kernel > MaxKernel) return $"{nameof(Conv1Kernel)} = {Conv1Kernel}, expected 1..{MaxKernel}";
        if (Conv2Kernel < 1 || Conv2Kernel > MaxKernel) return $"{nameof(Conv2Kernel)} = {Conv2Kernel}, expected 1..{MaxKernel}";
        if (SharedGruLayers < 1 || SharedGruLayers > 8) return $"{nameof(SharedGruLayers)} = {SharedGruLayers}, expected 1..8";
        if (LookaheadFrames < 0 || LookaheadFrames > MaxLookahead) return $"{nameof(LookaheadFrames)} = {LookaheadFrames}, expected 0..{MaxLookahead}";
        return null;
    }
}

/// <summary>Kinds of layer in <see cref="NetworkShape.Layers"/>.</summary>
public enum LayerKind
{
    /// <summary>y = W x + b.</summary>
    Dense,
    /// <summary>Causal 1-D convolution over frames (current and past frames).</summary>
    Conv1d,
    /// <summary>One GRU layer (gates r, z, n).</summary>
    Gru,
}

/// <summary>One layer: its name (parameter prefix), kind, input and output widths, and kernel (convolutions).</summary>
public sealed record LayerSpec(string Name, LayerKind Kind, int Inputs, int Outputs, int Kernel = 1)
{
    /// <summary>
    /// The layer's weight tensors in file order with TorchSharp's names and layouts: Dense
    /// weight [out, in], bias [out]; Conv1d weight [out, in, kernel], bias [out]; GRU weight_ih [3H, in],
    /// weight_hh [3H, H], bias_ih [3H], bias_hh [3H] with gates in the order r, z, n.
    /// </summary>
    public IEnumerable<(string Name, int[] Shape)> Tensors() => Kind switch
    {
        LayerKind.Dense => [(Name + ".weight", [Outputs, Inputs]), (Name + ".bias", [Outputs])],
        LayerKind.Conv1d => [(Name + ".weight", [Outputs, Inputs, Kernel]), (Name + ".bias", [Outputs])],
        _ => [(Name + ".weight_ih_l0", [3 * Outputs, Inputs]), (Name + ".weight_hh_l0", [3 * Outputs, Outputs]),
              (Name + ".bias_ih_l0", [3 * Outputs]), (Name + ".bias_hh_l0", [3 * Outputs])],
    };
}
