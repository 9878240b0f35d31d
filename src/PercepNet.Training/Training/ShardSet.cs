using PercepNet.Features;
using System.Buffers.Binary;
using PercepNet.Training.Data;

namespace PercepNet.Training.Training;

/// <summary>One feature shard as seen from its header.</summary>
public sealed record ShardInfo(string Path, int SequenceLength, int SequenceCount);

/// <summary>A piece of <see cref="ShardSet.ChunkFrames"/> frames of one shard sequence.</summary>
public readonly record struct ChunkRef(int Shard, int Sequence, int Start);

/// <summary>Chunks trained together; all come from the shards of one shuffle group.</summary>
public sealed record Batch(int Group, ChunkRef[] Chunks);

/// <summary>
/// The shards of one folder (*.pnfs, recursively, in ordinal path order), cut into chunks of
/// equal length, planned into batches and loaded a shuffle group at a time, so memory holds at most
/// <see cref="TrainConfig.ShuffleShards"/> shards.
/// </summary>
public sealed class ShardSet
{
    private readonly Dictionary<int, float[]> _loaded = [];
    private int _loadedGroup = -1;

    private ShardSet(IReadOnlyList<ShardInfo> shards, int chunkFrames)
    {
        Shards = shards;
        ChunkFrames = chunkFrames;
    }

    /// <summary>
    /// Band energies added to the stored energy features as they are loaded (see
    /// <see cref="FeatureExtractor.ApplyFloor"/>); null: the features as stored.
    /// </summary>
    public float[]? FeatureFloor { get; private set; }

    /// <summary>The floor as dBFS of white noise (<see cref="FeatureExtractor.NoiseFloorEnergies"/>), or null.</summary>
    public double? FeatureFloorDbfs { get; private set; }

    /// <summary>Loads features with the noise floor <paramref name="dbfs"/> (null: as stored). Call before loading.</summary>
    public ShardSet WithFeatureFloor(double? dbfs)
    {
        FeatureFloorDbfs = dbfs;
        FeatureFloor = dbfs is { } d ? FeatureExtractor.NoiseFloorEnergies(d) : null;
        _loaded.Clear();
        _loadedGroup = -1;
        return this;
    }

    /// <summary>The frames of shard <paramref name="index"/>, with the feature floor applied.</summary>
    private float[] ReadFrames(int index)
    {
        var frames = FeatureShard.Read(Shards[index].Path).Frames;
        if (FeatureFloor is { } floor)
            for (long f = 0; f < frames.Length; f += FeatureShard.FrameFloats)
                FeatureExtractor.ApplyFloor(frames.AsSpan((int)f, FeatureShard.Features), floor);
        return frames;
    }

    public IReadOnlyList<ShardInfo> Shards { get; }

    /// <summary>Frames per chunk (one training sequence).</summary>
    public int ChunkFrames { get; }

    /// <summary>Chunks in the whole set.</summary>
    public long ChunkCount => Shards.Sum(s => (long)s.SequenceCount * (s.SequenceLength / ChunkFrames));

    /// <summary>Frames in the whole set that training sees (chunked).</summary>
    public long FrameCount => ChunkCount * ChunkFrames;

    /// <summary>Reads the headers of every shard under <paramref name="folder"/>.</summary>
    /// <param name="chunkFrames">Frames per chunk; 0 = the shortest sequence length of the set.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No shards, a bad header, or sequences shorter than the chunk.</exception>
    public static ShardSet Open(string folder, int chunkFrames)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"shard folder {folder} not found");
        var files = Directory.GetFiles(folder, "*.pnfs", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 0) throw new InvalidDataException($"{folder}: no feature shards (*.pnfs)");
        var shards = files.Select(ReadHeader).Where(s => s.SequenceCount > 0).ToList();
        if (shards.Count == 0) throw new InvalidDataException($"{folder}: every shard is empty");
        int shortest = shards.Min(s => s.SequenceLength);
        if (chunkFrames == 0) chunkFrames = shortest;
        if (chunkFrames > shortest)
        {
            var s = shards.First(x => x.SequenceLength == shortest);
            throw new InvalidDataException($"{s.Path}: sequences of {shortest} frames, shorter than sequenceFrames = {chunkFrames}");
        }
        return new ShardSet(shards, chunkFrames);
    }

    private static ShardInfo ReadHeader(string path)
    {
        Span<byte> h = stackalloc byte[FeatureShard.HeaderBytes];
        long length;
        using (var fs = File.OpenRead(path))
        {
            length = fs.Length;
            if (fs.ReadAtLeast(h, h.Length, throwOnEndOfStream: false) < h.Length || !h[..4].SequenceEqual(FeatureShard.Magic))
                throw new InvalidDataException($"{path}: not a PercepNet feature shard (magic PNFS missing)");
        }
        int version = BinaryPrimitives.ReadInt32LittleEndian(h[4..]);
        int features = BinaryPrimitives.ReadInt32LittleEndian(h[8..]);
        int bands = BinaryPrimitives.ReadInt32LittleEndian(h[12..]);
        int seqLen = BinaryPrimitives.ReadInt32LittleEndian(h[16..]);
        int seqCount = BinaryPrimitives.ReadInt32LittleEndian(h[20..]);
        if (version != FeatureShard.Version || features != FeatureShard.Features || bands != FeatureShard.Bands)
            throw new InvalidDataException($"{path}: shard version {version} with {features} features and {bands} bands; this build reads version {FeatureShard.Version}, {FeatureShard.Features} features, {FeatureShard.Bands} bands");
        long expected = FeatureShard.HeaderBytes + (long)seqLen * seqCount * FeatureShard.FrameFloats * sizeof(float);
        if (seqLen <= 0 || seqCount < 0 || length != expected)
            throw new InvalidDataException($"{path}: {length} bytes, expected {expected} for {seqCount} sequences of {seqLen} frames");
        return new ShardInfo(path, seqLen, seqCount);
    }

    /// <summary>
    /// The batches of one pass. With a <paramref name="seed"/>: shards in random order, groups of
    /// <paramref name="shuffleShards"/> shards whose chunks are shuffled together; without: every
    /// chunk in file order. A group's last batch may be smaller. The plan depends only on the
    /// headers, the arguments and the seed, so a resumed run sees the same batches.
    /// </summary>
    public List<Batch> Plan(int batchSize, int shuffleShards, int? seed)
    {
        var rng = seed is { } s ? new Random(s) : null;
        int[] order = Enumerable.Range(0, Shards.Count).ToArray();
        rng?.Shuffle(order);
        var batches = new List<Batch>();
        int group = 0;
        for (int g0 = 0; g0 < order.Length; g0 += shuffleShards, group++)
        {
            var chunks = new List<ChunkRef>();
            foreach (int shard in order.Skip(g0).Take(shuffleShards))
            {
                var info = Shards[shard];
                int per = info.SequenceLength / ChunkFrames;
                for (int q = 0; q < info.SequenceCount; q++)
                    for (int c = 0; c < per; c++) chunks.Add(new ChunkRef(shard, q, c * ChunkFrames));
            }
            var arr = chunks.ToArray();
            rng?.Shuffle(arr);
            for (int i = 0; i < arr.Length; i += batchSize)
                batches.Add(new Batch(group, arr[i..Math.Min(arr.Length, i + batchSize)]));
        }
        return batches;
    }

    /// <summary>
    /// The frames of <paramref name="batch"/>: Chunks.Length * ChunkFrames * FrameFloats floats
    /// (chunk-major). Loads the batch's shards, dropping those of the previous group.
    /// </summary>
    public float[] Load(Batch batch)
    {
        if (batch.Group != _loadedGroup)
        {
            _loaded.Clear();
            _loadedGroup = batch.Group;
        }
        int per = ChunkFrames * FeatureShard.FrameFloats;
        var data = new float[batch.Chunks.Length * per];
        for (int i = 0; i < batch.Chunks.Length; i++)
        {
            var c = batch.Chunks[i];
            if (!_loaded.TryGetValue(c.Shard, out var frames))
                _loaded[c.Shard] = frames = ReadFrames(c.Shard);
            long offset = ((long)c.Sequence * Shards[c.Shard].SequenceLength + c.Start) * FeatureShard.FrameFloats;
            frames.AsSpan((int)offset, per).CopyTo(data.AsSpan(i * per, per));
        }
        return data;
    }

    /// <summary>
    /// Per-feature mean and standard deviation over every frame of up to <paramref name="maxShards"/>
    /// shards (evenly spread over the set), in double precision. Deviations are floored at 1e-3 so a
    /// constant feature cannot blow up.
    /// </summary>
    /// <param name="featureCount">70, or 104 for a network that also reads the noise-floor-relative levels (<see cref="FeatureInputs"/>).</param>
    /// <param name="maxShards">Shards read at most.</param>
    public FeatureNormalization ComputeNormalization(int featureCount = FeatureShard.Features, int maxShards = 64)
    {
        const double StdFloor = 1e-3;
        int n = featureCount;
        var sum = new double[n];
        var sq = new double[n];
        long count = 0;
        int step = Math.Max(1, (Shards.Count + maxShards - 1) / maxShards);
        for (int s = 0; s < Shards.Count; s += step)
        {
            var rows = ReadFrames(s);
            var info = Shards[s];
            var frames = FeatureInputs.Expand(rows, info.SequenceCount, info.SequenceLength, n);
            for (long f = 0; f < frames.Length; f += n)
            {
                for (int i = 0; i < n; i++)
                {
                    double v = frames[f + i];
                    sum[i] += v;
                    sq[i] += v * v;
                }
                count++;
            }
        }
        var mean = new float[n];
        var std = new float[n];
        for (int i = 0; i < n; i++)
        {
            double m = sum[i] / count;
            mean[i] = (float)m;
            std[i] = (float)Math.Max(StdFloor, Math.Sqrt(Math.Max(0, sq[i] / count - m * m)));
        }
        return new FeatureNormalization { Mean = mean, Std = std };
    }
}
