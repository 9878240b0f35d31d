using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Tests;

/// <summary>
/// The signal model's outputs held to golden hashes produced by the code itself
/// (tests/PercepNet.Tests/Golden/dsp.*.golden): pitch, spectra, band energies, coherence, features,
/// the delayed analysis, and the Denoiser's output and speech probability (float and int8, with and
/// without the postfilter, hostile samples included), hashed bit for bit per block of 10 frames.
/// The arithmetic depends on the machine's vector width and on fused multiply-add (vector sums are
/// grouped by lane, the float network uses FMA under AVX2), so there is one file per arithmetic
/// profile (<see cref="Profile"/>): dsp.vec8-fma.golden (AVX2) and dsp.vec4.golden (SSE, and
/// <c>DOTNET_EnableAVX2=0</c>); .ci/run checks both. A machine of another profile skips the test,
/// naming the file to generate.
/// <para>
/// A change that is meant to change the output regenerates the file deliberately, and says so in its
/// commit: <c>PERCEPNET_REGENERATE_GOLDEN=1 dotnet test tests/PercepNet.Tests -c Release --filter DspGoldenTests</c>
/// (the test then writes the file and fails once, so a regeneration is never silent). A change that
/// is not meant to change the output must pass unchanged.
/// </para>
/// </summary>
public class DspGoldenTests
{
    private const int BlockFrames = 10;

    /// <summary>Voiced vibrato with gaps, then digital silence, then white noise, then a loud chirp.</summary>
    internal static float[] Signal(int seed)
    {
        var rng = new Random(seed);
        var x = new float[3 * 48000];
        for (int i = 0; i < x.Length; i++)
        {
            double t = i / 48000.0, v = 0;
            if (t < 1.2)
            {
                for (int h = 1; h < 30; h++) v += Math.Sin(2 * Math.PI * (120 + 25 * Math.Sin(4 * t)) * h * t) / h;
                v = 0.3 * Math.Max(0, Math.Sin(2 * Math.PI * 1.5 * t)) * v + 0.03 * (rng.NextDouble() * 2 - 1);
            }
            else if (t < 1.5) v = 0;
            else if (t < 2.2) v = 0.2 * (rng.NextDouble() * 2 - 1);
            else v = 0.9 * Math.Sin(2 * Math.PI * (80 + 400 * (t - 2.2)) * (t - 2.2)) + 0.01 * (rng.NextDouble() * 2 - 1);
            x[i] = (float)v;
        }
        return x;
    }

    /// <summary>Hashes of blocks of frames: call <see cref="Add"/> with each frame's values, <see cref="EndFrame"/> after each frame.</summary>
    private sealed class BlockHasher
    {
        private IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private int _frames;
        public List<string> Blocks { get; } = [];

        public void Add(ReadOnlySpan<float> v) => _hash.AppendData(MemoryMarshal.AsBytes(v));
        public void Add(float v) => Add([v]);
        public void Add(int v) => _hash.AppendData(BitConverter.GetBytes(v));

        public void EndFrame()
        {
            if (++_frames % BlockFrames == 0) Flush();
        }

        public List<string> Finish()
        {
            if (_frames % BlockFrames != 0) Flush();
            return Blocks;
        }

        private void Flush()
        {
            Blocks.Add(Convert.ToHexString(_hash.GetHashAndReset())[..16].ToLowerInvariant());
        }
    }

    private static void AddSpectrum(BlockHasher h, FrameSpectrum s)
    {
        h.Add(s.Period);
        h.Add(s.PitchCorrelation);
        h.Add(s.CombPowerGain);
        h.Add(s.X); h.Add(s.P); h.Add(s.Ex); h.Add(s.Ep); h.Add(s.Exp); h.Add(s.Coherence);
    }

    /// <summary>Analysis with pitch tracking: newest spectrum, features, delayed spectrum (a reset at frame 150).</summary>
    private static List<string> Analysis(int seed)
    {
        var x = Signal(seed);
        var a = new SignalAnalyzer();
        FrameSpectrum newest = new(), delayed = new();
        var features = new float[FeatureExtractor.Count];
        var h = new BlockHasher();
        for (int f = 0; f < x.Length / 480; f++)
        {
            if (f == 150) a.Reset();
            var p = a.AnalyzeFrame(x.AsSpan(f * 480, 480), newest, delayed);
            h.Add(p.Period); h.Add(p.Correlation);
            AddSpectrum(h, newest);
            FeatureExtractor.Extract(newest, features);
            h.Add(features);
            AddSpectrum(h, delayed);
            h.EndFrame();
        }
        return h.Finish();
    }

    /// <summary>The oracle's clean side: no pitch tracking, periods from elsewhere.</summary>
    private static List<string> AnalysisWithoutTracking()
    {
        var x = Signal(3);
        var a = new SignalAnalyzer(trackPitch: false);
        FrameSpectrum d = new();
        var h = new BlockHasher();
        for (int f = 0; f < x.Length / 480; f++)
        {
            a.AnalyzeFrame(x.AsSpan(f * 480, 480), new PitchResult(60 + 37 * f % 700, 0.5f), d);
            AddSpectrum(h, d);
            h.EndFrame();
        }
        return h.Finish();
    }

    /// <summary>The Denoiser with a random model; hostile samples (NaN, ±Inf, out of range) in frames 250-253; a reset at frame 200.</summary>
    private static List<string> Denoiser(bool int8, bool postfilter)
    {
        var model = DenoiserTests.RandomModel(7);
        var d = new Denoiser(model, new DenoiserOptions { UseInt8 = int8, Postfilter = postfilter, PostfilterStrength = 1 });
        var x = Signal(4);
        for (int i = 250 * 480; i < 254 * 480; i++)
            x[i] = (i % 7) switch { 0 => float.NaN, 1 => float.PositiveInfinity, 2 => float.NegativeInfinity, 3 => 5f, 4 => -3f, 5 => -0f, _ => x[i] * 30 };
        var y = new float[480];
        var h = new BlockHasher();
        double peak = 0;
        for (int f = 0; f < x.Length / 480; f++)
        {
            if (f == 200) d.Reset();
            h.Add(d.ProcessFrame(x.AsSpan(f * 480, 480), y));
            h.Add(y);
            foreach (float v in y) peak = Math.Max(peak, Math.Abs(v));
            h.EndFrame();
        }
        Assert.True(peak > 0.05, "the model passes some signal");
        return h.Finish();
    }

    private static Dictionary<string, List<string>> Compute() => new()
    {
        ["analysis-seed1"] = Analysis(1),
        ["analysis-seed2"] = Analysis(2),
        ["analysis-no-tracking"] = AnalysisWithoutTracking(),
        ["denoiser-int8-postfilter"] = Denoiser(true, true),
        ["denoiser-int8"] = Denoiser(true, false),
        ["denoiser-float-postfilter"] = Denoiser(false, true),
    };

    /// <summary>The arithmetic profile of this process: vector width in floats, and FMA in the float kernels.</summary>
    internal static string Profile =>
        $"vec{System.Numerics.Vector<float>.Count}" + (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported ? "-fma" : "");

    private static string GoldenPath([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Golden", $"dsp.{Profile}.golden");

    [SkippableFact]
    public void TheSignalModelAndTheDenoiserGiveTheGoldenOutputs()
    {
        string path = GoldenPath();
        bool regenerate = Environment.GetEnvironmentVariable("PERCEPNET_REGENERATE_GOLDEN") == "1";
        Skip.If(!regenerate && !File.Exists(path), $"no golden file for this machine's arithmetic profile ({Profile}): {path}; generate it with PERCEPNET_REGENERATE_GOLDEN=1 from a commit whose output is trusted");
        var actual = Compute();
        if (Environment.GetEnvironmentVariable("PERCEPNET_REGENERATE_GOLDEN") == "1")
        {
            var lines = new List<string>
            {
                "# Golden hashes of DspGoldenTests: SHA-256 (first 16 hex digits) of the float bits of each block of 10 frames.",
                "# Regenerate only for an intended change of the output:",
                "#   PERCEPNET_REGENERATE_GOLDEN=1 dotnet test tests/PercepNet.Tests -c Release --filter DspGoldenTests",
            };
            lines.Add($"# Arithmetic profile {Profile}.");
            foreach (var (name, blocks) in actual)
                for (int b = 0; b < blocks.Count; b++) lines.Add($"{name} {b} {blocks[b]}");
            File.WriteAllLines(path, lines);
            Assert.Fail($"{path} regenerated; run again without PERCEPNET_REGENERATE_GOLDEN");
        }
        var expected = new Dictionary<string, List<string>>();
        foreach (string line in File.ReadLines(path).Where(l => l.Length > 0 && l[0] != '#'))
        {
            var parts = line.Split(' ');
            if (!expected.TryGetValue(parts[0], out var list)) expected[parts[0]] = list = [];
            Assert.Equal(list.Count, int.Parse(parts[1]));
            list.Add(parts[2]);
        }
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        var report = new List<string>();
        foreach (var (name, blocks) in actual)
        {
            var want = expected[name];
            Assert.Equal(want.Count, blocks.Count);
            int first = Enumerable.Range(0, blocks.Count).FirstOrDefault(b => blocks[b] != want[b], -1);
            if (first >= 0)
                report.Add($"{name}: {blocks.Where((v, b) => v != want[b]).Count()} of {blocks.Count} blocks differ, the first at frames {first * BlockFrames}-{first * BlockFrames + BlockFrames - 1}");
        }
        Assert.True(report.Count == 0, "output changed:\n" + string.Join("\n", report));
    }
}
