using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Nn;

/// <summary>
/// A <see cref="ModelFile"/> with every weight matrix quantised for the int8 engine (scheme in
/// <see cref="QuantizedMatrix"/> and docs/inference.md). Immutable; share one between many
/// <see cref="PercepNetNetworkInt8"/> streams. About a quarter of the float weights' memory.
/// </summary>
internal sealed class QuantizedModel
{
    internal readonly float[] Mean;
    internal readonly float[] InvStd;
    internal readonly QuantizedMatrix Input;
    internal readonly float[] InputBias;
    internal readonly QuantizedMatrix Conv1;
    internal readonly float[] Conv1Bias;
    internal readonly QuantizedMatrix Conv2;
    internal readonly float[] Conv2Bias;
    internal readonly GruInt8[] Shared;
    internal readonly GruInt8 GainGru;
    internal readonly GruInt8 StrengthGru;
    internal readonly QuantizedMatrix GainHead;
    internal readonly float[] GainHeadBias;
    internal readonly QuantizedMatrix StrengthHead;
    internal readonly float[] StrengthHeadBias;
    internal readonly QuantizedMatrix VadHead;
    internal readonly float[] VadHeadBias;
    // Codes per frame in the conv histories: the input width rounded up to Int8Kernels.ColumnAlign.
    internal readonly int Conv1Slot;
    internal readonly int Conv2Slot;

    /// <summary>Quantises every weight matrix of <paramref name="model"/> (about 0.1 s for the paper preset).</summary>
    public QuantizedModel(ModelFile model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var s = Shape = model.Shape;
        Mean = model.FeatureMean.ToArray();
        InvStd = new float[Mean.Length];
        for (int i = 0; i < InvStd.Length; i++) InvStd[i] = 1f / model.FeatureStd[i];
        int t = 0;
        ReadOnlySpan<float> Next() => model.Tensor(t++);
        Input = new QuantizedMatrix(Next(), s.InputDense, FeatureExtractor.Count);
        InputBias = Next().ToArray();
        Conv1Slot = Int8Kernels.Align(s.InputDense);
        Conv1 = ConvMatrix(Next(), s.Conv1Channels, s.InputDense, s.Conv1Kernel, Conv1Slot);
        Conv1Bias = Next().ToArray();
        Conv2Slot = Int8Kernels.Align(s.Conv1Channels);
        Conv2 = ConvMatrix(Next(), s.Conv2Channels, s.Conv1Channels, s.Conv2Kernel, Conv2Slot);
        Conv2Bias = Next().ToArray();
        Shared = new GruInt8[s.SharedGruLayers];
        for (int i = 0; i < Shared.Length; i++)
            Shared[i] = new GruInt8(i == 0 ? s.Conv2Channels : s.SharedGru, s.SharedGru, Next(), Next(), Next(), Next());
        GainGru = new GruInt8(s.SharedGru, s.GainGru, Next(), Next(), Next(), Next());
        StrengthGru = new GruInt8(s.StrengthGruInputs, s.StrengthGru, Next(), Next(), Next(), Next());
        GainHead = new QuantizedMatrix(Next(), FrameLayout.BandCount, s.GainHeadInputs);
        GainHeadBias = Next().ToArray();
        StrengthHead = new QuantizedMatrix(Next(), FrameLayout.BandCount, s.StrengthGru);
        StrengthHeadBias = Next().ToArray();
        VadHead = new QuantizedMatrix(Next(), 1, s.SharedGru);
        VadHeadBias = Next().ToArray();
    }

    /// <summary>Layer sizes and look-ahead.</summary>
    public NetworkShape Shape { get; }

    /// <summary>Repacks TorchSharp's [out, in, kernel] to [out, kernel, slot] (slot = in padded with zeros) and quantises.</summary>
    private static QuantizedMatrix ConvMatrix(ReadOnlySpan<float> w, int outputs, int inputs, int kernel, int slot)
    {
        var packed = new float[outputs * kernel * slot];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++)
                for (int j = 0; j < kernel; j++)
                    packed[(o * kernel + j) * slot + i] = w[(o * inputs + i) * kernel + j];
        return new QuantizedMatrix(packed, outputs, kernel * slot);
    }
}
