using PercepNet.Dsp;

namespace PercepNet.Tests.Dsp;

public class StftTests
{
    /// <summary>Analysis + synthesis with unity gains: a frame processor that should be a pure delay.</summary>
    private sealed class PassThrough : IFrameProcessor
    {
        private readonly Stft _stft = new();
        private readonly float[] _win = new float[FrameLayout.WindowSize];
        private readonly float[] _spec = new float[Stft.SpectrumLength];
        public int LatencySamples => Stft.LatencySamples;
        public void ProcessFrame(ReadOnlySpan<float> input, Span<float> output)
        {
            Array.Copy(_win, FrameLayout.FrameSize, _win, 0, FrameLayout.FrameSize);
            input.CopyTo(_win.AsSpan(FrameLayout.FrameSize));
            _stft.Analyze(_win, _spec);
            _stft.Synthesize(_spec, output);
        }
        public void Reset() { _stft.Reset(); Array.Clear(_win); }
    }

    [Fact]
    public void WindowIsPowerComplementary()
    {
        var w = VorbisWindow.Coefficients;
        for (int n = 0; n < FrameLayout.FrameSize; n++)
            Assert.True(Math.Abs(w[n] * w[n] + w[n + 480] * w[n + 480] - 1) < 1e-6, $"n={n}");
        for (int n = 0; n < FrameLayout.WindowSize; n++)
            Assert.True(Math.Abs(w[n] - w[FrameLayout.WindowSize - 1 - n]) < 1e-7, $"symmetry n={n}");
    }

    private static float[] Signal(int seed, int n)
    {
        var rng = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++)
            x[i] = (float)(0.5 * Math.Sin(2 * Math.PI * 217.3 * i / 48000) + 0.45 * (rng.NextDouble() * 2 - 1));
        return x;
    }

    [Theory]
    [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)]
    public void UnityGainReproducesInputDelayedWhateverTheChunks(int seed)
    {
        var x = Signal(seed, 48000);
        var adapter = new FrameAdapter(new PassThrough());
        int delay = adapter.LatencySamples;
        Assert.Equal(Stft.LatencySamples + FrameLayout.FrameSize - 1, delay);
        var y = new float[x.Length];
        var rng = new Random(seed * 31);
        int pos = 0;
        while (pos < x.Length)
        {
            // Chunk sizes from 1 sample to several frames, including exact multiples.
            int len = seed switch { 1 => 480, 2 => 1, _ => rng.Next(1, 2000) };
            len = Math.Min(len, x.Length - pos);
            // In place: copy into the output buffer and process it there.
            x.AsSpan(pos, len).CopyTo(y.AsSpan(pos, len));
            adapter.Process(y.AsSpan(pos, len), y.AsSpan(pos, len));
            pos += len;
        }
        double maxErr = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float expected = i >= delay ? x[i - delay] : 0f;
            maxErr = Math.Max(maxErr, Math.Abs(y[i] - expected));
        }
        Assert.True(maxErr < 1e-5, $"seed {seed}: max error {maxErr:E2} of full scale");
    }

    [Fact]
    public void ResetStartsANewStreamBitExactly()
    {
        var x = Signal(9, 9600);
        var adapter = new FrameAdapter(new PassThrough());
        var a = new float[x.Length];
        var b = new float[x.Length];
        adapter.Process(x, a);
        adapter.Reset();
        adapter.Process(x, b);
        Assert.Equal(a, b);
    }
}
