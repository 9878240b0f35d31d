using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PercepNet.Metrics.Dsp;

namespace PercepNet.Metrics;

/// <summary>DNSMOS scores of one clip: P.835 SIG, BAK, OVRL and P.808 MOS, each in about [1, 5].</summary>
/// <param name="Sig">Speech signal quality (P.835 SIG).</param>
/// <param name="Bak">Background noise intrusiveness (P.835 BAK; higher = less intrusive).</param>
/// <param name="Ovrl">Overall quality (P.835 OVRL).</param>
/// <param name="P808">Overall MOS from the P.808 model.</param>
/// <param name="Windows">Number of 9.01 s windows averaged (0 and NaN scores for empty input).</param>
public readonly record struct DnsmosResult(double Sig, double Bak, double Ovrl, double P808, int Windows);

/// <summary>
/// Non-intrusive speech quality: DNSMOS P.835 (Reddy, Gopal and Cutler, ICASSP 2022) and the
/// P.808 model of the DNS Challenge, run with ONNX Runtime. Processing follows the challenge's
/// reference scorer: audio resampled to 16 kHz; clips shorter than 9.01 s appended to themselves
/// until long enough; 9.01 s windows (144160 samples) starting every second, with the reference's
/// window count floor(floor(len / 16000) - 9.01) + 1 (truncated) and its window bounds computed as
/// int(i * 16000) .. int((i + 9.01) * 16000) in double precision, which leaves windows 7..23 one
/// sample short, so the reference (and we) skip them; raw P.835 outputs mapped by the challenge's
/// quadratic polynomials; clip score = mean over windows. The P.808 model sees the mel features of
/// each window without its last 160 samples (<see cref="P808MelSpectrogram"/>).
/// Thread-safe: one instance may score many clips in parallel (ONNX Runtime sessions are).
/// </summary>
public sealed class Dnsmos : IDisposable
{
    /// <summary>Model input rate, Hz.</summary>
    public const int SampleRate = 16000;
    /// <summary>Window length: int(9.01 s * 16000).</summary>
    public const int WindowSamples = 144160;
    /// <summary>Window hop, 1 s.</summary>
    public const int HopSamples = SampleRate;
    /// <summary>File name of the P.835 (SIG/BAK/OVRL) model in the model folder.</summary>
    public const string P835ModelFile = "sig_bak_ovr.onnx";
    /// <summary>File name of the P.808 model in the model folder.</summary>
    public const string P808ModelFile = "model_v8.onnx";

    private const double InputLengthSeconds = 9.01;
    private const int P808Frames = 900, P808Mels = P808MelSpectrogram.MelCount;

    // Quadratic maps from raw model outputs to MOS, highest power first (DNS Challenge, non-personalised).
    private static readonly double[] SigPoly = [-0.08397278, 1.22083953, 0.0052439];
    private static readonly double[] BakPoly = [-0.13166888, 1.60915514, -0.39604546];
    private static readonly double[] OvrlPoly = [-0.06766283, 1.11546468, 0.04602535];

    private readonly InferenceSession _p835;
    private readonly InferenceSession _p808;
    private readonly string _p835Input, _p808Input;
    private readonly P808MelSpectrogram _mel = new();

    /// <summary>Loads <see cref="P835ModelFile"/> and <see cref="P808ModelFile"/> from <paramref name="modelDirectory"/>.</summary>
    /// <param name="modelDirectory">Folder holding both ONNX files (in this repository's data: ../shared/data/dnsmos).</param>
    /// <param name="threadsPerSession">ONNX Runtime intra-op threads per model; 1 suits scoring many files in parallel.</param>
    /// <exception cref="FileNotFoundException">A model file is missing (the message names the path).</exception>
    /// <exception cref="InvalidDataException">A model does not have the expected input/output shapes.</exception>
    public Dnsmos(string modelDirectory, int threadsPerSession = 1)
    {
        ArgumentNullException.ThrowIfNull(modelDirectory);
        string p835Path = Path.Combine(modelDirectory, P835ModelFile);
        string p808Path = Path.Combine(modelDirectory, P808ModelFile);
        foreach (var p in new[] { p835Path, p808Path })
            if (!File.Exists(p))
                throw new FileNotFoundException($"DNSMOS model not found: {Path.GetFullPath(p)} (the model folder must hold {P835ModelFile} and {P808ModelFile})", p);
        using var options = new SessionOptions { IntraOpNumThreads = threadsPerSession, InterOpNumThreads = 1 };
        _p835 = new InferenceSession(p835Path, options);
        try
        {
            _p808 = new InferenceSession(p808Path, options);
            _p835Input = CheckModel(_p835, p835Path, [WindowSamples], 3);
            _p808Input = CheckModel(_p808, p808Path, [P808Frames, P808Mels], 1);
        }
        catch
        {
            _p835.Dispose();
            _p808?.Dispose();
            throw;
        }
    }

    /// <summary>Scores one mono clip.</summary>
    /// <param name="audio">Samples in [-1, 1] at <paramref name="sampleRate"/>; resampled to 16 kHz when needed.</param>
    /// <param name="sampleRate">Hz.</param>
    /// <returns>Mean scores over windows; all NaN with Windows = 0 for empty input.</returns>
    public DnsmosResult Score(ReadOnlySpan<float> audio, int sampleRate)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "must be positive");
        if (audio.Length == 0) return new DnsmosResult(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        float[] x = sampleRate == SampleRate ? audio.ToArray() : KaiserResampler.Resample(audio, sampleRate, SampleRate);
        while (x.Length < WindowSamples)
        {
            var doubled = new float[2 * x.Length]; // the reference appends the clip to itself
            x.CopyTo(doubled, 0);
            x.CopyTo(doubled, x.Length);
            x = doubled;
        }
        double sig = 0, bak = 0, ovrl = 0, p808 = 0;
        int used = 0;
        var window = new float[WindowSamples];
        foreach (int start in WindowStarts(x.Length))
        {
            x.AsSpan(start, WindowSamples).CopyTo(window);
            var raw = RunP835(window);
            sig += Poly(SigPoly, raw[0]);
            bak += Poly(BakPoly, raw[1]);
            ovrl += Poly(OvrlPoly, raw[2]);
            p808 += RunP808(window.AsSpan(0, WindowSamples - P808MelSpectrogram.HopLength));
            used++;
        }
        if (used == 0) return new DnsmosResult(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        return new DnsmosResult(sig / used, bak / used, ovrl / used, p808 / used, used);
    }

    /// <summary>
    /// Start samples of the scored windows for a (repeated) signal of <paramref name="length"/> samples
    /// at 16 kHz, as the reference scorer picks them: int(floor(len / 16000) - 9.01) + 1 candidates
    /// i = 0, 1, ..., window i spanning int(i * 16000) .. int((i + 9.01) * 16000) evaluated in double
    /// precision, skipped when that is shorter than 144160 samples (true for i = 7..23 through rounding).
    /// </summary>
    internal static IEnumerable<int> WindowStarts(int length)
    {
        int hops = (int)(Math.Floor((double)length / SampleRate) - InputLengthSeconds) + 1;
        for (int i = 0; i < hops; i++)
        {
            int start = (int)(i * (double)HopSamples);
            int end = (int)((i + InputLengthSeconds) * HopSamples);
            if (end - start < WindowSamples || end > length) continue;
            yield return start;
        }
    }

    private float[] RunP835(float[] window)
    {
        var input = new DenseTensor<float>(window, [1, WindowSamples]);
        using var results = _p835.Run([NamedOnnxValue.CreateFromTensor(_p835Input, input)]);
        return results[0].AsTensor<float>().ToArray();
    }

    private double RunP808(ReadOnlySpan<float> audio)
    {
        float[] features = _mel.Compute(audio);
        System.Diagnostics.Debug.Assert(features.Length == P808Frames * P808Mels);
        var input = new DenseTensor<float>(features, [1, P808Frames, P808Mels]);
        using var results = _p808.Run([NamedOnnxValue.CreateFromTensor(_p808Input, input)]);
        return results[0].AsTensor<float>().GetValue(0);
    }

    private static double Poly(double[] c, double x) => (c[0] * x + c[1]) * x + c[2];

    /// <summary>Checks one float input of shape [N, dims...] and one output of shape [N, outputs]; returns the input name.</summary>
    private static string CheckModel(InferenceSession s, string path, int[] dims, int outputs)
    {
        if (s.InputMetadata.Count != 1 || s.OutputMetadata.Count != 1)
            throw new InvalidDataException($"{path}: expected one input and one output, found {s.InputMetadata.Count} and {s.OutputMetadata.Count}");
        var (name, meta) = s.InputMetadata.First();
        var shape = meta.Dimensions;
        if (meta.ElementType != typeof(float) || shape.Length != dims.Length + 1 || !shape.Skip(1).SequenceEqual(dims))
            throw new InvalidDataException($"{path}: input '{name}' is {meta.ElementType.Name}[{string.Join(",", shape)}], expected Single[N,{string.Join(",", dims)}]");
        var outShape = s.OutputMetadata.First().Value.Dimensions;
        if (outShape.Length != 2 || outShape[1] != outputs)
            throw new InvalidDataException($"{path}: output is [{string.Join(",", outShape)}], expected [N,{outputs}]");
        return name;
    }

    public void Dispose()
    {
        _p835.Dispose();
        _p808.Dispose();
    }
}
