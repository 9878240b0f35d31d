using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using PercepNet.Dsp;
using PercepNet.Features;

namespace PercepNet.Nn;

/// <summary>
/// A trained PercepNet network as stored on disk, read without any ML framework. Immutable; share
/// one instance between many <see cref="PercepNetNetwork"/> streams.
/// <para>Format, little-endian (version 2; version 1 is the same without the feature floor):</para>
/// <code>
/// magic "PNNM" | int32 version (1)
/// | int32 sampleRate (48000) | int32 frameSize (480) | int32 bandCount (34) | int32 featureCount (70, or 104: see NetworkShape.Features)
/// | int32 inputDense, conv1Kernel, conv1Channels, conv2Kernel, conv2Channels,
///         sharedGruLayers, sharedGru, gainGru, strengthGru, lookaheadFrames
/// | float32[featureCount] feature mean | float32[featureCount] feature standard deviation (&gt; 0)
/// | float32 feature noise floor, dBFS (NaN: none; see <see cref="FeatureFloorDbfs"/>)
/// | int32 tensorCount
/// | tensorCount times: int32 nameBytes | UTF-8 name | int32 rank | int32[rank] dims | float32[prod(dims)] values
/// </code>
/// Tensors appear in the order, with the names and shapes, of <see cref="NetworkShape.Tensors"/>;
/// the reader checks every one and that nothing follows the last.
/// </summary>
public sealed class ModelFile
{
    /// <summary>The format version this build reads and writes.</summary>
    public const int Version = 2;

    /// <summary>The oldest format version this build reads (1: no feature floor).</summary>
    public const int OldestVersion = 1;

    /// <summary>First four bytes of every model file.</summary>
    public static ReadOnlySpan<byte> Magic => "PNNM"u8;

    /// <summary>Bytes before the feature normalisation: magic, version, 4 frame fields, 10 shape fields.</summary>
    public const int HeaderBytes = 4 + 4 + 4 * 4 + 10 * 4;

    private readonly float[][] _tensors;
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Builds a model from weights in <see cref="NetworkShape.Tensors"/> order.</summary>
    /// <exception cref="ArgumentException">A size does not match the shape, or a value is not finite.</exception>
    /// <param name="shape">Layer sizes and look-ahead.</param>
    /// <param name="featureMean">Per-feature mean (70).</param>
    /// <param name="featureStd">Per-feature standard deviation (70, all &gt; 0).</param>
    /// <param name="tensors">Weights in <see cref="NetworkShape.Tensors"/> order.</param>
    /// <param name="featureFloorDbfs">The feature noise floor the network was trained with (null: none).</param>
    public ModelFile(NetworkShape shape, float[] featureMean, float[] featureStd, IReadOnlyList<float[]> tensors, double? featureFloorDbfs = null)
    {
        string? problem = Check(shape, featureMean, featureStd, tensors) ?? CheckFloor(featureFloorDbfs);
        if (problem != null) throw new ArgumentException(problem);
        Shape = shape;
        _mean = (float[])featureMean.Clone();
        _std = (float[])featureStd.Clone();
        _tensors = tensors.Select(t => (float[])t.Clone()).ToArray();
        FeatureFloorDbfs = featureFloorDbfs;
    }

    private ModelFile(NetworkShape shape, float[] mean, float[] std, float[][] tensors, double? floor)
    {
        Shape = shape;
        _mean = mean;
        _std = std;
        _tensors = tensors;
        FeatureFloorDbfs = floor;
    }

    /// <summary>
    /// The noise floor (dBFS, white noise RMS re full scale) added to the band energies before the
    /// network sees them, as in training (<see cref="FeatureExtractor.NoiseFloorEnergies"/>); null:
    /// none. A <see cref="Denoiser"/> uses it unless its options override it.
    /// </summary>
    public double? FeatureFloorDbfs { get; }

    /// <summary>The same weights with another feature floor (e.g. for a model trained before floors were stored).</summary>
    public ModelFile WithFeatureFloor(double? featureFloorDbfs)
    {
        if (CheckFloor(featureFloorDbfs) is { } problem) throw new ArgumentException(problem);
        return new ModelFile(Shape, _mean, _std, _tensors, featureFloorDbfs);
    }

    private static string? CheckFloor(double? dbfs) =>
        dbfs is { } f && !(f >= -200 && f <= 0) ? $"feature floor {f} dBFS, expected within [-200, 0]" : null;

    /// <summary>
    /// Random weights as TorchSharp initialises them: every weight and bias uniform in
    /// ±1/sqrt(fan in) (Linear: inputs; Conv1d: inputs * kernel; GRU: hidden). For tools and tests
    /// that time or check the engine without a trained model. Feature normalisation: the given
    /// statistics, else mean 0 and standard deviation 1.
    /// </summary>
    internal static ModelFile TorchInit(NetworkShape shape, int seed, float[]? featureMean = null, float[]? featureStd = null)
    {
        var rng = new Random(seed);
        var tensors = new List<float[]>();
        int? gruHidden = null;
        foreach (var (name, dims) in shape.Tensors())
        {
            int count = dims.Aggregate(1, (a, b) => a * b);
            if (name.EndsWith(".weight_ih_l0", StringComparison.Ordinal)) gruHidden = dims[0] / 3;
            double fanIn = name.Contains("_l0", StringComparison.Ordinal) ? gruHidden!.Value
                : name.EndsWith(".weight", StringComparison.Ordinal) ? dims.Skip(1).Aggregate(1, (a, b) => a * b)
                : tensors[^1].Length / count; // bias: the weight before it, per output
            double bound = 1 / Math.Sqrt(fanIn);
            var t = new float[count];
            for (int i = 0; i < count; i++) t[i] = (float)((rng.NextDouble() * 2 - 1) * bound);
            tensors.Add(t);
        }
        return new ModelFile(shape, featureMean ?? new float[shape.Features],
            featureStd ?? Enumerable.Repeat(1f, shape.Features).ToArray(), tensors, null);
    }

    /// <summary>Writes the model in the format above (the exact bytes <see cref="Parse"/> reads).</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var b = new byte[4];
        void Int(int v)
        {
            BinaryPrimitives.WriteInt32LittleEndian(b, v);
            stream.Write(b);
        }
        void Floats(ReadOnlySpan<float> values)
        {
            foreach (float v in values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(b, v);
                stream.Write(b);
            }
        }
        stream.Write(Magic);
        foreach (int v in new[]
        {
            Version, FrameLayout.SampleRate, FrameLayout.FrameSize, FrameLayout.BandCount, Shape.Features,
            Shape.InputDense, Shape.Conv1Kernel, Shape.Conv1Channels, Shape.Conv2Kernel, Shape.Conv2Channels,
            Shape.SharedGruLayers, Shape.SharedGru, Shape.GainGru, Shape.StrengthGru, Shape.LookaheadFrames,
        })
        {
            Int(v);
        }
        Floats(_mean);
        Floats(_std);
        Floats([FeatureFloorDbfs is { } floor ? (float)floor : float.NaN]);
        var specs = Shape.Tensors();
        Int(specs.Count);
        for (int i = 0; i < specs.Count; i++)
        {
            byte[] name = Encoding.UTF8.GetBytes(specs[i].Name);
            Int(name.Length);
            stream.Write(name);
            Int(specs[i].Shape.Length);
            foreach (int d in specs[i].Shape) Int(d);
            Floats(_tensors[i]);
        }
    }

    /// <summary>Layer sizes and look-ahead.</summary>
    public NetworkShape Shape { get; }

    /// <summary>Per-feature mean subtracted from the features (length <see cref="NetworkShape.Features"/>).</summary>
    public ReadOnlySpan<float> FeatureMean => _mean;

    /// <summary>Per-feature standard deviation the features are divided by (length <see cref="NetworkShape.Features"/>, all &gt; 0).</summary>
    public ReadOnlySpan<float> FeatureStd => _std;

    /// <summary>Weight tensor <paramref name="index"/> in <see cref="NetworkShape.Tensors"/> order (flattened, row-major).</summary>
    public ReadOnlySpan<float> Tensor(int index) => _tensors[index];

    /// <summary>The weight tensor named <paramref name="name"/> (a <see cref="NetworkShape.Tensors"/> name, e.g. "conv1.weight").</summary>
    public ReadOnlySpan<float> Tensor(string name)
    {
        var specs = Shape.Tensors();
        for (int i = 0; i < specs.Count; i++)
            if (specs[i].Name == name) return _tensors[i];
        throw new ArgumentException($"no weight tensor named {name}", nameof(name));
    }

    /// <summary>Number of weight tensors.</summary>
    public int TensorCount => _tensors.Length;

    /// <summary>Reads and validates a model file.</summary>
    /// <exception cref="InvalidDataException">Wrong magic, version, frame layout, size, name, shape or length; the message names the file.</exception>
    public static ModelFile Load(string path)
    {
        // Checked before opening: a FIFO would block the open, a device (/dev/zero) never ends.
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: model file not found", path);
        if (info.Length == 0)
            throw new InvalidDataException($"{path}: empty, or not a regular file (a pipe, FIFO or device); a model file must be a regular file");
        if (info.Length > MaxBytes)
            throw new InvalidDataException($"{path}: {info.Length:N0} bytes; model files are at most {MaxBytes:N0} bytes (the largest preset takes about 32 MB)");
        var bytes = new byte[info.Length];
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            int got = fs.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length || fs.ReadByte() >= 0)
                throw new InvalidDataException($"{path}: the file changed size while it was read");
        }
        return Parse(bytes, path);
    }

    /// <summary>Largest model file accepted: 256 MiB, 8 times the paper-size network.</summary>
    public const long MaxBytes = 256L << 20;

    /// <summary>Parses a model held in memory; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="InvalidDataException">See <see cref="Load"/>.</exception>
    public static ModelFile Parse(ReadOnlySpan<byte> bytes, string name)
    {
        var r = new Reader(bytes, name);
        if (bytes.Length < 4 || !bytes[..4].SequenceEqual(Magic))
            throw new InvalidDataException($"{name}: not a PercepNet model file (magic PNNM missing)");
        r.Skip(4);
        int version = r.Int("version");
        if (version < OldestVersion || version > Version)
            throw new InvalidDataException($"{name}: model format version {version}; this build reads versions {OldestVersion} to {Version}");
        r.Expect("sample rate", FrameLayout.SampleRate);
        r.Expect("frame size", FrameLayout.FrameSize);
        r.Expect("band count", FrameLayout.BandCount);
        int featureCount = r.Int("feature count");
        if (featureCount != FeatureExtractor.Count && featureCount != FeatureExtractor.ExtendedCount)
            throw new InvalidDataException($"{name}: feature count {featureCount}, expected {FeatureExtractor.Count} or {FeatureExtractor.ExtendedCount}");
        var shape = new NetworkShape
        {
            Features = featureCount,
            InputDense = r.Int("inputDense"),
            Conv1Kernel = r.Int("conv1Kernel"),
            Conv1Channels = r.Int("conv1Channels"),
            Conv2Kernel = r.Int("conv2Kernel"),
            Conv2Channels = r.Int("conv2Channels"),
            SharedGruLayers = r.Int("sharedGruLayers"),
            SharedGru = r.Int("sharedGru"),
            GainGru = r.Int("gainGru"),
            StrengthGru = r.Int("strengthGru"),
            LookaheadFrames = r.Int("lookaheadFrames"),
        };
        if (shape.Problem() is { } bad) throw new InvalidDataException($"{name}: {bad}");
        float[] mean = r.Floats(featureCount, "feature mean");
        float[] std = r.Floats(featureCount, "feature standard deviation");
        double? floor = null;
        if (version >= 2)
        {
            float f = r.Floats(1, "feature floor")[0];
            if (!float.IsNaN(f))
            {
                if (CheckFloor(f) is { } badFloor) throw new InvalidDataException($"{name}: {badFloor}");
                floor = f;
            }
        }
        var expected = shape.Tensors();
        int count = r.Int("tensor count");
        if (count != expected.Count)
            throw new InvalidDataException($"{name}: {count} weight tensors, expected {expected.Count} for this shape");
        var tensors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var (expectedName, expectedDims) = expected[i];
            int nameBytes = r.Int($"name length of tensor {i}");
            if (nameBytes < 1 || nameBytes > 256)
                throw new InvalidDataException($"{name}: tensor {i} name length {nameBytes}, expected 1..256");
            string tensorName = r.Utf8(nameBytes, $"name of tensor {i}");
            if (tensorName != expectedName)
                throw new InvalidDataException($"{name}: tensor {i} is '{tensorName}', expected '{expectedName}'");
            int rank = r.Int($"rank of {tensorName}");
            if (rank != expectedDims.Length)
                throw new InvalidDataException($"{name}: {tensorName} has rank {rank}, expected {expectedDims.Length}");
            for (int d = 0; d < rank; d++)
            {
                int dim = r.Int($"dimension {d} of {tensorName}");
                if (dim != expectedDims[d])
                    throw new InvalidDataException($"{name}: {tensorName} has shape [{DimsSoFar(expectedDims, d, dim)}], expected [{string.Join(", ", expectedDims)}]");
            }
            tensors[i] = r.Floats(expectedDims.Aggregate(1, (a, b) => a * b), tensorName);
        }
        if (r.Remaining != 0)
            throw new InvalidDataException($"{name}: {r.Remaining} unexpected bytes after the last tensor");
        string? problem = Check(shape, mean, std, tensors);
        if (problem != null) throw new InvalidDataException($"{name}: {problem}");
        return new ModelFile(shape, mean, std, tensors, floor);
    }

    private static string DimsSoFar(int[] expected, int d, int got) =>
        string.Join(", ", expected.Take(d).Select(x => x.ToString()).Append(got.ToString()).Append("..."));

    private static string? Check(NetworkShape shape, float[] mean, float[] std, IReadOnlyList<float[]> tensors)
    {
        if (shape.Problem() is { } bad) return bad;
        if (mean.Length != shape.Features || std.Length != shape.Features)
            return $"feature normalisation has {mean.Length} means and {std.Length} deviations, expected {shape.Features}";
        for (int i = 0; i < mean.Length; i++)
        {
            if (!float.IsFinite(mean[i])) return $"feature mean {i} is {mean[i]}";
            if (!(std[i] > 0) || !float.IsFinite(std[i])) return $"feature standard deviation {i} is {std[i]}, expected a finite value > 0";
        }
        var expected = shape.Tensors();
        if (tensors.Count != expected.Count) return $"{tensors.Count} weight tensors, expected {expected.Count}";
        for (int i = 0; i < expected.Count; i++)
        {
            int n = expected[i].Shape.Aggregate(1, (a, b) => a * b);
            if (tensors[i].Length != n) return $"{expected[i].Name} has {tensors[i].Length} values, expected {n}";
            int j = Array.FindIndex(tensors[i], v => !float.IsFinite(v));
            if (j >= 0) return $"{expected[i].Name}[{j}] is {tensors[i][j]}";
        }
        return null;
    }

    /// <summary>Bounds-checked little-endian reader; every failure names the file and the field.</summary>
    private ref struct Reader(ReadOnlySpan<byte> bytes, string name)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _pos;

        public readonly int Remaining => _bytes.Length - _pos;

        public void Skip(int n) => _pos += n;

        private ReadOnlySpan<byte> Take(long n, string what)
        {
            if (n < 0 || n > Remaining)
                throw new InvalidDataException($"{name}: file ends inside {what} (needs {n} bytes at offset {_pos}, {Remaining} left)");
            var s = _bytes.Slice(_pos, (int)n);
            _pos += (int)n;
            return s;
        }

        public int Int(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));

        public void Expect(string what, int value)
        {
            int v = Int(what);
            if (v != value) throw new InvalidDataException($"{name}: {what} {v}, this build needs {value}");
        }

        public float[] Floats(int count, string what)
        {
            var s = Take(4L * count, what);
            var f = new float[count];
            s.CopyTo(MemoryMarshal.AsBytes(f.AsSpan()));
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < count; i++) f[i] = BinaryPrimitives.ReadSingleLittleEndian(s[(4 * i)..]);
            return f;
        }

        public string Utf8(int count, string what) => Encoding.UTF8.GetString(Take(count, what));
    }
}
