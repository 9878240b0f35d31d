using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Nn;

/// <summary>
/// Layer sizes of the PercepNet network (paper topology, sizes configurable):
/// <code>
/// features[70] -> (x - mean) / std -> dense InputDense, tanh
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

    /// <summary>A preset by name ("paper" or "small"), or null.</summary>
    public static NetworkShape? FromPreset(string name) => name.ToLowerInvariant() switch
    {
        "paper" => Paper,
        "small" => Small,
        _ => null,
    };

    /// <summary>Inputs of the gain head: conv output, every shared GRU, the gain GRU.</summary>
    public int GainHeadInputs => Conv2Channels + SharedGruLayers * SharedGru + GainGru;

    /// <summary>Inputs of the strength GRU: conv output and the last shared GRU.</summary>
    public int StrengthGruInputs => Conv2Channels + SharedGru;

    /// <summary>
    /// Every weight tensor in file order, named as the TorchSharp model names its parameters, with
    /// its shape in TorchSharp's layout (Linear [out, in], Conv1d [out, in, kernel],
    /// GRU weight_ih [3H, in] and weight_hh [3H, H] with gates in the order r, z, n).
    /// </summary>
    public IReadOnlyList<(string Name, int[] Shape)> Tensors()
    {
        var t = new List<(string, int[])>();
        void Linear(string name, int outputs, int inputs)
        {
            t.Add((name + ".weight", [outputs, inputs]));
            t.Add((name + ".bias", [outputs]));
        }
        void Conv(string name, int outputs, int inputs, int kernel)
        {
            t.Add((name + ".weight", [outputs, inputs, kernel]));
            t.Add((name + ".bias", [outputs]));
        }
        void Gru(string name, int inputs, int hidden)
        {
            t.Add((name + ".weight_ih_l0", [3 * hidden, inputs]));
            t.Add((name + ".weight_hh_l0", [3 * hidden, hidden]));
            t.Add((name + ".bias_ih_l0", [3 * hidden]));
            t.Add((name + ".bias_hh_l0", [3 * hidden]));
        }
        Linear("input", InputDense, FeatureExtractor.Count);
        Conv("conv1", Conv1Channels, InputDense, Conv1Kernel);
        Conv("conv2", Conv2Channels, Conv1Channels, Conv2Kernel);
        for (int i = 0; i < SharedGruLayers; i++) Gru($"grus.{i}", i == 0 ? Conv2Channels : SharedGru, SharedGru);
        Gru("gain_gru", SharedGru, GainGru);
        Gru("strength_gru", StrengthGruInputs, StrengthGru);
        Linear("gain_head", FrameLayout.BandCount, GainHeadInputs);
        Linear("strength_head", FrameLayout.BandCount, StrengthGru);
        Linear("vad_head", 1, SharedGru);
        return t;
    }

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
        if (Conv1Kernel < 1 || Conv1Kernel > MaxKernel) return $"{nameof(Conv1Kernel)} = {Conv1Kernel}, expected 1..{MaxKernel}";
        if (Conv2Kernel < 1 || Conv2Kernel > MaxKernel) return $"{nameof(Conv2Kernel)} = {Conv2Kernel}, expected 1..{MaxKernel}";
        if (SharedGruLayers < 1 || SharedGruLayers > 8) return $"{nameof(SharedGruLayers)} = {SharedGruLayers}, expected 1..8";
        if (LookaheadFrames < 0 || LookaheadFrames > MaxLookahead) return $"{nameof(LookaheadFrames)} = {LookaheadFrames}, expected 0..{MaxLookahead}";
        return null;
    }
}
