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
        // Layers as NetworkShape.Layers describes them (sizes and wiring written there only).
        QuantizedMatrix Matrix(string name) { var l = s.Layer(name); return new QuantizedMatrix(model.Tensor(name + ".weight"), l.Outputs, l.Inputs); }
        float[] Bias(string name) => model.Tensor(name + ".bias").ToArray();
        QuantizedMatrix Conv(string name, int slot) { var l = s.Layer(name); return ConvMatrix(model.Tensor(name + ".weight"), l.Outputs, l.Inputs, l.Kernel, slot); }
        GruInt8 G(string name)
        {
            var l = s.Layer(name);
            return new GruInt8(l.Inputs, l.Outputs, model.Tensor(name + ".weight_ih_l0"), model.Tensor(name + ".weight_hh_l0"), model.Tensor(name + ".bias_ih_l0"), model.Tensor(name + ".bias_hh_l0"));
        }
        Input = Matrix(NetworkShape.InputLayer);
        InputBias = Bias(NetworkShape.InputLayer);
        Conv1Slot = Int8Kernels.Align(s.Layer(NetworkShape.Conv1Layer).Inputs);
        Conv1 = Conv(NetworkShape.Conv1Layer, Conv1Slot);
        Conv1Bias = Bias(NetworkShape.Conv1Layer);
        Conv2Slot = Int8Kernels.Align(s.Layer(NetworkShape.Conv2Layer).Inputs);
        Conv2 = Conv(NetworkShape.Conv2Layer, Conv2Slot);
        Conv2Bias = Bias(NetworkShape.Conv2Layer);
        Shared = new GruInt8[s.SharedGruLayers];
        for (int i = 0; i < Shared.Length; i++) Shared[i] = G(NetworkShape.SharedGruLayer(i));
        GainGru = G(NetworkShape.GainGruLayer);
        StrengthGru = G(NetworkShape.StrengthGruLayer);
        GainHead = Matrix(NetworkShape.GainHeadLayer);
        GainHeadBias = Bias(NetworkShape.GainHeadLayer);
        StrengthHead = Matrix(NetworkShape.StrengthHeadLayer);
        StrengthHeadBias = Bias(NetworkShape.StrengthHeadLayer);
        VadHead = Matrix(NetworkShape.VadHeadLayer);
        VadHeadBias = Bias(NetworkShape.VadHeadLayer);
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
