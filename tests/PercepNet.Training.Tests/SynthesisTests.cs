using PercepNet.Audio;
using PercepNet.Dsp;
using PercepNet.Training.Corpus;
using PercepNet.Training.Data;

namespace PercepNet.Training.Tests;

/// <summary>A small synthetic corpus on disk: voiced "speakers", noises, key clicks and a room.</summary>
public sealed class MiniCorpus : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("percepnet-mini-").FullName;
    public List<CorpusEntry> Manifest { get; }

    public MiniCorpus()
    {
        var rng = new Random(1);
        for (int spk = 0; spk < 4; spk++)
        {
            string d = Path.Combine(Dir, "speech", $"spk{spk}");
            Directory.CreateDirectory(d);
            int rate = spk % 2 == 0 ? 16000 : 48000;
            for (int u = 0; u < 2; u++)
            {
                var x = new float[rate * 2];
                double f0 = 100 + 40 * spk + 10 * u;
                for (int i = 0; i < x.Length; i++)
                {
                    double t = (double)i / rate, v = 0;
                    for (int h = 1; h * f0 < rate / 2 - 200; h++) v += Math.Sin(2 * Math.PI * f0 * (1 + 0.03 * Math.Sin(5 * t)) * h * t) / h;
                    double env = Math.Max(0, Math.Sin(Math.PI * t / 0.7)); // syllables with silences
                    x[i] = (float)(0.2 * env * v + 2e-4 * (rng.NextDouble() - 0.5)); // background about -80 dBFS
                }
                AudioFile.Write(Path.Combine(d, $"u{u}.wav"), new AudioData(rate, [x]), 16);
            }
        }
        string nd = Path.Combine(Dir, "noise");
        Directory.CreateDirectory(nd);
        for (int k = 0; k < 3; k++)
        {
            var x = new float[48000 * 3];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(0.1 * (rng.NextDouble() * 2 - 1));
            Biquad.RandomEq(rng).Apply(x);
            AudioFile.Write(Path.Combine(nd, $"n{k}.wav"), new AudioData(48000, [x]), 16);
        }
        string kd = Path.Combine(Dir, "keys");
        Directory.CreateDirectory(kd);
        var click = new float[2000];
        for (int i = 0; i < click.Length; i++) click[i] = (float)(0.5 * Math.Exp(-i / 200.0) * (rng.NextDouble() * 2 - 1));
        AudioFile.Write(Path.Combine(kd, "k.wav"), new AudioData(44100, [click]), 16);
        string rd = Path.Combine(Dir, "rir");
        Directory.CreateDirectory(rd);
        AudioFile.Write(Path.Combine(rd, "room.wav"), new AudioData(48000, [RoomSimulator.Random(new Random(3), 0.4, 0.5).Response]), 32);
        Manifest = CorpusBuilder.Build(
        [
            new CorpusFolder(CorpusKind.Speech, Path.Combine(Dir, "speech")),
            new CorpusFolder(CorpusKind.Noise, nd),
            new CorpusFolder(CorpusKind.KeyClick, kd),
            new CorpusFolder(CorpusKind.Rir, rd),
        ], new CorpusOptions { ValidationFraction = 0.25 });
        // One noise for validation too (a single-file source would all go to train).
        Manifest = Manifest.Select(e => e.Kind == CorpusKind.Noise && e.Group == "n2" ? e with { Split = "val" } : e).ToList();
    }

    public void Dispose() => Directory.Delete(Dir, true);
}

public sealed class SynthesisTests : IClassFixture<MiniCorpus>
{
    private readonly MiniCorpus _corpus;
    public SynthesisTests(MiniCorpus corpus) => _corpus = corpus;

    private static SynthesisOptions Short => new() { Frames = 150 };

    [Fact]
    public void SpeakersAreSplitNotFiles()
    {
        Assert.Single(_corpus.Manifest.Where(e => e.Kind == CorpusKind.Speech && e.Split == "val").Select(e => e.Group).Distinct());
        Assert.All(_corpus.Manifest.Where(e => e.Kind == CorpusKind.Speech), e => Assert.True(e.Quiet, e.Path));
    }

    [Fact]
    public void SynthesisIsDeterministicForASeed()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        var a = new Synthesizer(lib, Short).Make(12345);
        var b = new Synthesizer(lib, Short).Make(12345);
        var c = new Synthesizer(lib, Short).Make(12346);
        Assert.Equal(a.Noisy, b.Noisy);
        Assert.Equal(a.Target, b.Target);
        Assert.Equal(a.Description, b.Description);
        Assert.NotEqual(a.Noisy, c.Noisy);
        Assert.Equal(150 * FrameLayout.FrameSize, a.Noisy.Length);
    }

    [Fact]
    public void EveryAugmentationPathGivesFiniteTargetsInRange()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        // Force each option on in turn.
        var variants = new[]
        {
            Short with { ReverbProbability = 1, MeasuredRoomFraction = 0 },
            Short with { ReverbProbability = 1, MeasuredRoomFraction = 1 },
            Short with { NoiseOnlyProbability = 1 },
            Short with { CleanOnlyProbability = 1, NoiseOnlyProbability = 0 },
            Short with { NoiseTypeWeights = [0, 1, 0, 0], SecondNoiseProbability = 1 },
            Short with { NoiseTypeWeights = [0, 0, 1, 0] },
            Short with { NoiseTypeWeights = [0, 0, 0, 1] },
            Short with { LowPassProbability = 1, ClipProbability = 1, QuantiseProbability = 1 },
            Short with { BandLimitProbability = 1, BandLimitRates = [8000] },
            Short with { VoiceShiftProbability = 1, SpeakerBalance = 0 },
            Short with { NoiseTypeWeights = [0, 0, 1, 0], BabbleMinSnrDb = 10, BabbleTalkers = [8, 8], SnrMaxDb = 0 },
            Short with { VoiceShiftProbability = 1, PitchSemitones = [8, 8], FormantFactors = [0.88, 0.88], SpeakerBalance = 0.5 },
            Short with { NoiseTypeWeights = [1, 0, 0, 0], SecondNoiseProbability = 1, NoiseDurationWeight = 1 },
            Short with { NoiseTypeWeights = [0.5, 0.5, 0, 0], NoiseEnvelopeProbability = 1 },
            Short with { NoiseTypeWeights = [1, 0, 0, 0], SecondNoiseProbability = 1, NoiseSpeedProbability = 1 },
        };
        var builder = new TargetBuilder();
        var frames = new float[Short.Frames * FeatureShard.FrameFloats];
        foreach (var (o, v) in variants.Select((o, v) => (o, v)))
        {
            var seq = new Synthesizer(lib, o).Make(100 + v);
            Assert.All(seq.Noisy, s => Assert.True(float.IsFinite(s) && Math.Abs(s) <= 1f));
            builder.Build(seq, frames);
            for (int f = 0; f < o.Frames; f++)
            {
                var row = frames.AsSpan(f * FeatureShard.FrameFloats, FeatureShard.FrameFloats);
                foreach (float x in row) Assert.True(float.IsFinite(x), $"variant {v} ({seq.Description}) frame {f}");
                for (int b = 0; b < FrameLayout.BandCount; b++)
                {
                    Assert.InRange(row[FeatureShard.GainOffset + b], 0f, 1f);
                    Assert.InRange(row[FeatureShard.StrengthOffset + b], 0f, 1f);
                    Assert.True(row[FeatureShard.MaskOffset + b] is 0f or 1f);
                }
                Assert.True(row[FeatureShard.VadOffset] is 0f or 1f);
            }
            if (o.NoiseOnlyProbability == 1)
            {
                // No speech: no frame is speech, and every cared-for gain is 0.
                for (int f = 0; f < o.Frames; f++)
                {
                    Assert.Equal(0f, frames[f * FeatureShard.FrameFloats + FeatureShard.VadOffset]);
                    for (int b = 0; b < FrameLayout.BandCount; b++)
                        if (frames[f * FeatureShard.FrameFloats + FeatureShard.MaskOffset + b] == 1f)
                            Assert.Equal(0f, frames[f * FeatureShard.FrameFloats + FeatureShard.GainOffset + b]);
                }
            }
        }
    }

    [Fact]
    public void BandLimitLeavesNothingAboveTheOldNyquistAndMasksThoseBands()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        var o = Short with { BandLimitProbability = 1, BandLimitRates = [16000], NoiseOnlyProbability = 0, CleanOnlyProbability = 0 };
        var seq = new Synthesizer(lib, o).Make(11);
        Assert.Contains("via 16000 Hz", seq.Description);
        Assert.True(seq.BandwidthHz <= 8000, $"bandwidth {seq.BandwidthHz}");
        var frames = new float[o.Frames * FeatureShard.FrameFloats];
        new TargetBuilder().Build(seq, frames);
        double low = 0, high = double.MinValue;
        // From frame 2 on: the first frames' windows see the step from the zero history into the signal.
        for (int f = 2; f < o.Frames; f++)
            for (int b = 0; b < FrameLayout.BandCount; b++)
            {
                // Feature b is log10 of the noisy band energy (+1e-8).
                float logE = frames[f * FeatureShard.FrameFloats + b];
                double hz = ErbBands.Centers[b] * FrameLayout.BinHz;
                if (hz <= 4000) low = Math.Max(low == 0 ? double.MinValue : low, logE);
                if (b > 0 && ErbBands.Centers[b - 1] * FrameLayout.BinHz >= 8600)
                {
                    high = Math.Max(high, logE);
                    Assert.Equal(0f, frames[f * FeatureShard.FrameFloats + FeatureShard.MaskOffset + b]);
                }
            }
        var maxPerBand = Enumerable.Range(0, FrameLayout.BandCount).Select(b => Enumerable.Range(2, o.Frames - 2).Max(f => frames[f * FeatureShard.FrameFloats + b])).ToArray();
        Assert.True(high < -7.5, $"energy above 8.6 kHz: log10 up to {high}; per band {string.Join(" ", maxPerBand.Select(v => v.ToString("F1")))}; {seq.Description}");
        Assert.True(low > -4, $"the speech band is empty too: log10 up to {low}");
    }

    [Theory]
    [InlineData(42000)]
    [InlineData(54000)]
    public void SpeedPerturbationScalesEveryFrequencyAndTheBandwidth(int rate)
    {
        // A 200 Hz + 3 kHz tone pair for 1 s at 48 kHz, played at speed factor 48000 / rate.
        var x = new float[48000];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(0.3 * Math.Sin(2 * Math.PI * 200 * i / 48000.0) + 0.1 * Math.Sin(2 * Math.PI * 3000 * i / 48000.0));
        var (y, bw) = Synthesizer.SpeedPerturb(x, 24000, rate);
        double factor = 48000.0 / rate;
        Assert.InRange(y.Length, rate - 1, rate + 1);
        Assert.Equal(0.47 * Math.Min(rate, 48000) * factor, bw, 6);
        // Goertzel power over the middle half, normalised: the tones moved by the factor, none left behind.
        double Power(double hz)
        {
            int a = y.Length / 4, n = y.Length / 2;
            double w = 2 * Math.PI * hz / 48000, c = 2 * Math.Cos(w), s1 = 0, s2 = 0;
            for (int i = a; i < a + n; i++) { double s0 = y[i] + c * s1 - s2; s2 = s1; s1 = s0; }
            return (s1 * s1 + s2 * s2 - c * s1 * s2) / ((double)n * n / 4);
        }
        Assert.InRange(Power(200 * factor), 0.3 * 0.3 * 0.8, 0.3 * 0.3 * 1.2);
        Assert.InRange(Power(3000 * factor), 0.1 * 0.1 * 0.8, 0.1 * 0.1 * 1.2);
        Assert.True(Power(3000) < 1e-4 * 0.01, $"3 kHz left: {Power(3000)}");
        // A band-limited source stays band-limited, scaled.
        Assert.Equal(8000 * factor, Synthesizer.SpeedPerturb(x, 8000, rate).BandwidthHz, 6);
    }

    [Fact]
    public void SpeedPerturbedSequencesAreDeterministicAndSayWhatWasDone()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        var o = Short with { SpeedPerturbProbability = 1, SpeedPerturbRates = [44000] };
        var a = new Synthesizer(lib, o).Make(5);
        var b = new Synthesizer(lib, o).Make(5);
        Assert.Equal(a.Noisy, b.Noisy);
        Assert.Equal(a.Target, b.Target);
        Assert.Contains("speed-perturbed", a.Description);
        Assert.True(a.BandwidthHz <= 0.47 * 44000 * 48000 / 44000.0 + 1e-6, $"bandwidth {a.BandwidthHz}");
        Assert.DoesNotContain("speed-perturbed", new Synthesizer(lib, o with { SpeedPerturbProbability = 0 }).Make(5).Description);
    }

    [Theory]
    [InlineData(36000)]
    [InlineData(64000)]
    public void SpeedChangedNoiseMovesEveryFrequencyByTheFactor(int rate)
    {
        // A recorded "noise" of two tones (1 and 3 kHz), the only noise of the library; the mixture is that noise alone.
        string path = Path.Combine(_corpus.Dir, $"tones-{rate}.wav");
        var tones = new float[48000 * 3];
        for (int i = 0; i < tones.Length; i++) tones[i] = (float)(0.2 * Math.Sin(2 * Math.PI * 1000 * i / 48000.0) + 0.1 * Math.Sin(2 * Math.PI * 3000 * i / 48000.0));
        AudioFile.Write(path, new AudioData(48000, [tones]), 32);
        var noise = _corpus.Manifest.First(e => e.Kind == CorpusKind.Noise && e.Split == "train") with { Path = path, SampleRate = 48000, DurationSeconds = 3 };
        var lib = new CorpusLibrary(_corpus.Manifest.Where(e => e.Kind != CorpusKind.Noise).Append(noise), "train");
        var o = Short with { Frames = 300, NoiseOnlyProbability = 1, NoiseTypeWeights = [1, 0, 0, 0], NoiseEqProbability = 0, SecondNoiseProbability = 0,
            LowPassProbability = 0, ClipProbability = 0, QuantiseProbability = 0, BandLimitProbability = 0, ReverbProbability = 0 };
        var fastOptions = o with { NoiseSpeedProbability = 1, NoiseSpeedRates = [rate] };
        double factor = 48000.0 / rate;
        var plain = new Synthesizer(lib, o).Make(4);
        var fast = new Synthesizer(lib, fastOptions).Make(4);
        Assert.Contains($"speed {factor:F2}", fast.Description);
        Assert.DoesNotContain(" speed ", plain.Description);
        Assert.Equal(fast.Noisy, new Synthesizer(lib, fastOptions).Make(4).Noisy);
        // Goertzel power of each tone relative to the whole signal's power, over the middle and the last 100 ms
        // (the speed-changed stretch must fill the sequence to its end).
        static double Share(float[] x, double hz, int a, int n)
        {
            double w = 2 * Math.PI * hz / 48000, c = 2 * Math.Cos(w), s1 = 0, s2 = 0, total = 0;
            for (int i = a; i < a + n; i++) { double s0 = x[i] + c * s1 - s2; s2 = s1; s1 = s0; total += (double)x[i] * x[i]; }
            return 2 * (s1 * s1 + s2 * s2 - c * s1 * s2) / n / total;
        }
        int len = fast.Noisy.Length;
        foreach (var (at, n) in new[] { (len / 4, len / 2), (len - 4800, 4800) })
        {
            double moved = Share(fast.Noisy, 1000 * factor, at, n) + Share(fast.Noisy, 3000 * factor, at, n);
            double left = Share(fast.Noisy, 1000, at, n) + Share(fast.Noisy, 3000, at, n);
            Assert.True(moved > 0.95 && left < 0.01, $"at {at}: {moved:F3} of the power at the moved tones, {left:F4} at the old ones");
            Assert.True(Share(plain.Noisy, 1000, at, n) + Share(plain.Noisy, 3000, at, n) > 0.95, "the plain noise keeps its tones");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void SurgingNoiseFollowsASlowEnvelopeOfAtMostItsDepth(int seed)
    {
        var x = Enumerable.Repeat(1f, 48000 * 20).ToArray();
        double depth = Synthesizer.ApplySlowEnvelope(new Random(seed), x);
        Assert.InRange(depth, 6, 20);
        var db = x.Select(v => 20 * Math.Log10(v)).ToArray();
        double range = db.Max() - db.Min();
        Assert.InRange(range, 2, depth + 1e-6);
        // Slow: no more than 0.5 dB from one 10 ms frame to the next.
        for (int i = 480; i < db.Length; i += 480) Assert.True(Math.Abs(db[i] - db[i - 480]) < 0.5, $"jump of {db[i] - db[i - 480]:F2} dB at {i}");
    }

    [Fact]
    public void SurgingNoiseVariesInLevelWhereSteadyNoiseDoesNot()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        // 10 s of coloured noise alone (no EQ, no second noise), with and without the envelope.
        var o = Short with { Frames = 1000, NoiseOnlyProbability = 1, NoiseTypeWeights = [0, 1, 0, 0], NoiseEqProbability = 0, SecondNoiseProbability = 0,
            LowPassProbability = 0, ClipProbability = 0, QuantiseProbability = 0, BandLimitProbability = 0 };
        var steady = new Synthesizer(lib, o).Make(9);
        var surging = new Synthesizer(lib, o with { NoiseEnvelopeProbability = 1 }).Make(9);
        Assert.Contains("surging", surging.Description);
        Assert.DoesNotContain("surging", steady.Description);
        static double Range(float[] x)
        {
            var db = Enumerable.Range(0, x.Length / 4800).Select(b => 10 * Math.Log10(x.Skip(b * 4800).Take(4800).Average(v => (double)v * v) + 1e-20)).ToArray();
            return db.Max() - db.Min();
        }
        double a = Range(steady.Noisy), b = Range(surging.Noisy);
        Assert.True(a < 1.5, $"steady noise varies {a:F2} dB over 100 ms blocks");
        Assert.True(b > a + 2, $"surging noise varies {b:F2} dB, steady {a:F2} dB");
    }

    [Fact]
    public void VoiceShiftedSequencesAreDeterministicAndNewOptionsOffChangeNothing()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        var o = Short with { VoiceShiftProbability = 1, SpeakerBalance = 0 };
        var a = new Synthesizer(lib, o).Make(5);
        var b = new Synthesizer(lib, o).Make(5);
        Assert.Equal(a.Noisy, b.Noisy);
        Assert.Equal(a.Target, b.Target);
        Assert.Contains("voice-shifted", a.Description);
        Assert.DoesNotContain("speed-perturbed", a.Description);
        // Off (probability 0, no balance): the same sequence as before these options existed.
        var plain = new Synthesizer(lib, Short).Make(5);
        var off = new Synthesizer(lib, Short with { VoiceShiftProbability = 0, SpeakerBalance = null }).Make(5);
        Assert.Equal(plain.Noisy, off.Noisy);
        Assert.DoesNotContain("voice-shifted", plain.Description);
    }

    [Fact]
    public void GapsAreDigitalSilenceInInputAndTargetAndOffChangesNothing()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        var o = Short with { GapProbability = 1, GapSeconds = [0.3, 0.5], NoiseOnlyProbability = 0, CleanOnlyProbability = 0 };
        int leading = 0;
        for (int seed = 1; seed <= 8; seed++)
        {
            var seq = new Synthesizer(lib, o).Make(seed);
            Assert.Equal(seq.Noisy.Length, seq.Target.Length);
            Assert.Contains("gap", seq.Description);
            // Every run of exact zeros in the input of at least 0.3 s is also zero in the target.
            int run = 0, longest = 0;
            for (int i = 0; i <= seq.Noisy.Length; i++)
            {
                if (i < seq.Noisy.Length && seq.Noisy[i] == 0f) { run++; continue; }
                if (run >= 0.3 * 48000)
                    for (int k = i - run; k < i; k++) Assert.Equal(0f, seq.Target[k]);
                longest = Math.Max(longest, run);
                run = 0;
            }
            Assert.True(longest >= 0.3 * 48000 - 1, $"seed {seed}: longest digital silence {longest} samples");
            if (seq.Description.Contains("from the start"))
            {
                leading++;
                Assert.All(seq.Noisy.AsSpan(0, 14400).ToArray(), v => Assert.Equal(0f, v));
            }
            // Elsewhere the input is not silent (noise is everywhere).
            Assert.True(seq.Noisy.Count(v => v != 0f) > seq.Noisy.Length / 4);
        }
        Assert.InRange(leading, 1, 7);
        var plain = new Synthesizer(lib, Short).Make(5);
        var off = new Synthesizer(lib, Short with { GapProbability = 0 }).Make(5);
        Assert.Equal(plain.Noisy, off.Noisy);
        Assert.Equal(plain.Target, off.Target);
        Assert.DoesNotContain("gap", plain.Description);
    }

    [Fact]
    public void QuietSpeechLandsInItsLevelRangeAndOffChangesNothing()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        var o = Short with { QuietSpeechProbability = 1, CleanOnlyProbability = 1, NoiseOnlyProbability = 0, ReverbProbability = 0, BandLimitProbability = 0, LowPassProbability = 0 };
        for (int seed = 1; seed <= 6; seed++)
        {
            var seq = new Synthesizer(lib, o).Make(seed);
            Assert.Contains("quiet speech", seq.Description);
            double level = Synthesizer.ActiveLevelDb(seq.Target);
            Assert.InRange(level, -70.5, -44.5);
            // The input is the same quiet speech (clean-only mixture): nothing lifts it back.
            Assert.InRange(Synthesizer.ActiveLevelDb(seq.Noisy), level - 0.5, level + 0.5);
        }
        var loud = new Synthesizer(lib, o with { QuietSpeechProbability = 0 }).Make(1);
        Assert.True(Synthesizer.ActiveLevelDb(loud.Target) > -45.5, "without the option speech stays at -45..-6 dBFS");
        var plain = new Synthesizer(lib, Short).Make(5);
        var off = new Synthesizer(lib, Short with { QuietSpeechProbability = 0 }).Make(5);
        Assert.Equal(plain.Noisy, off.Noisy);
        Assert.Equal(plain.Target, off.Target);
        Assert.DoesNotContain("quiet", plain.Description);
    }

    [Fact]
    public void BabbleKeepsItsSnrFloorAndTalkerCount()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        var o = Short with { NoiseTypeWeights = [0, 0, 1, 0], SnrMinDb = -5, SnrMaxDb = -5, BabbleMinSnrDb = 10, BabbleTalkers = [6, 6], SecondNoiseProbability = 0, NoiseOnlyProbability = 0, CleanOnlyProbability = 0 };
        var seq = new Synthesizer(lib, o).Make(3);
        Assert.Contains("babble 6 snr 10.0", seq.Description);
        var plain = new Synthesizer(lib, o with { BabbleMinSnrDb = null }).Make(3);
        Assert.Contains("babble 6 snr -5.0", plain.Description);
    }

    [Fact]
    public void DistantBabbleTalkersAreReverberantAndTheDefaultDrawsNothing()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        var o = Short with { NoiseTypeWeights = [0, 0, 1, 0], BabbleTalkers = [5, 5], SecondNoiseProbability = 0, NoiseOnlyProbability = 0, CleanOnlyProbability = 0, LowPassProbability = 0, ClipProbability = 0, QuantiseProbability = 0, BandLimitProbability = 0, GapProbability = 0 };
        var dry = new Synthesizer(lib, o).Make(4);
        var off = new Synthesizer(lib, o with { BabbleReverbProbability = 0 }).Make(4);
        Assert.Equal(dry.Noisy, off.Noisy); // 0 is the default and draws nothing
        Assert.DoesNotContain("distant", dry.Description);
        var wet = new Synthesizer(lib, o with { BabbleReverbProbability = 1 }).Make(4);
        Assert.Contains("babble 5 (5 distant)", wet.Description);
        Assert.Equal(dry.Target, wet.Target); // only the noise changes
        Assert.NotEqual(dry.Noisy, wet.Noisy);
        // The room changes the babble, not its level: the SNR of the mixture is kept.
        double dryDb = LevelDb(Subtract(dry.Noisy, dry.Target)), wetDb = LevelDb(Subtract(wet.Noisy, wet.Target));
        Assert.True(Math.Abs(wetDb - dryDb) < 0.5, $"babble level: distant {wetDb:F2} dB, dry {dryDb:F2} dB");
    }

    [Fact]
    public void BackgroundTalkersAddDistantVoicesAtTheirSnrAndTheDefaultDrawsNothing()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        var o = Short with { NoiseTypeWeights = [0, 1, 0, 0], SecondNoiseProbability = 0, NoiseOnlyProbability = 0, CleanOnlyProbability = 0, LowPassProbability = 0, ClipProbability = 0, QuantiseProbability = 0, BandLimitProbability = 0, GapProbability = 0, ReverbProbability = 0 };
        var plain = new Synthesizer(lib, o).Make(5);
        var off = new Synthesizer(lib, o with { BackgroundTalkersProbability = 0 }).Make(5);
        Assert.Equal(plain.Noisy, off.Noisy); // 0 is the default and draws nothing
        Assert.DoesNotContain("background", plain.Description);
        var with = new Synthesizer(lib, o with { BackgroundTalkersProbability = 1, BackgroundTalkers = [2, 2], BackgroundTalkersSnrDb = [10, 10] }).Make(5);
        Assert.Contains("2 background talker(s) snr 10.0", with.Description);
        Assert.Equal(plain.Target, with.Target); // the voices are noise: the target is unchanged
        // The coloured noise is drawn first, with the same draws: what is added is the voices alone,
        // at the level the SNR sets (5 dB more SNR, the same voices 5 dB quieter).
        var quieter = new Synthesizer(lib, o with { BackgroundTalkersProbability = 1, BackgroundTalkers = [2, 2], BackgroundTalkersSnrDb = [15, 15] }).Make(5);
        double loudDb = LevelDb(Subtract(with.Noisy, plain.Noisy)), quietDb = LevelDb(Subtract(quieter.Noisy, plain.Noisy));
        Assert.InRange(loudDb - quietDb, 4.9, 5.1);
        // Both are set against the speech's active level: the noise at its SNR, the voices at 10 dB.
        double noiseSnr = double.Parse(System.Text.RegularExpressions.Regex.Match(plain.Description, @"coloured noise tilt \S+ snr (-?[0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(LevelDb(Subtract(plain.Noisy, plain.Target)) - loudDb, 10 - noiseSnr - 0.2, 10 - noiseSnr + 0.2);
    }

    private static float[] Subtract(float[] a, float[] b) => a.Select((v, i) => v - b[i]).ToArray();

    private static double LevelDb(float[] x) => 10 * Math.Log10(x.Average(v => (double)v * v) + 1e-20);

    [Fact]
    public void BandsAboveTheSpeechBandwidthAreDontCareInSpeechAndClosedInPauses()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        // Band-limited speech (low-passed at 6 kHz, so nothing above 8 kHz) under fullband noise.
        var o = Short with
        {
            NoiseOnlyProbability = 0, CleanOnlyProbability = 0, LowPassProbability = 0, BandLimitProbability = 0,
            ReverbProbability = 0, ClipProbability = 0, QuantiseProbability = 0, GapProbability = 0,
        };
        var made = new Synthesizer(lib, o).Make(7);
        var target = (float[])made.Target.Clone();
        var lp = Biquad.LowPass(6000, FrameLayout.SampleRate);
        for (int k = 0; k < 4; k++) lp.Apply(target);
        // A pause of 0.6 s in the middle: the target silent there, the noise goes on.
        int n = FrameLayout.FrameSize, p0 = 60, p1 = 120;
        for (int i = p0 * n; i < p1 * n; i++) target[i] = 0;
        var noisy = new float[made.Noisy.Length];
        for (int i = 0; i < noisy.Length; i++) noisy[i] = made.Noisy[i] - made.Target[i] + target[i];
        var seq = made with { Noisy = noisy, Target = target, BandwidthHz = 8000 };
        int firstAbove = Enumerable.Range(1, FrameLayout.BandCount - 1).First(b => ErbBands.Centers[b - 1] * FrameLayout.BinHz >= 8000);

        float[] Build(bool supervise)
        {
            var frames = new float[Short.Frames * FeatureShard.FrameFloats];
            new TargetBuilder { SuperviseAboveBandwidthInPauses = supervise }.Build(seq, frames);
            return frames;
        }
        var on = Build(true);
        var off = Build(false);
        float At(float[] fr, int f, int offset, int b) => fr[f * FeatureShard.FrameFloats + offset + b];
        int counted = 0;
        for (int f = 0; f < Short.Frames; f++)
        {
            bool speech = At(on, f, FeatureShard.VadOffset, 0) > 0.5f;
            for (int b = firstAbove; b < FrameLayout.BandCount; b++)
            {
                Assert.Equal(0f, At(off, f, FeatureShard.MaskOffset, b)); // the old rule: never counted
                if (speech) Assert.Equal(0f, At(on, f, FeatureShard.MaskOffset, b));
                // Deep inside the pause the noise bands above 8 kHz count, with a target near 0.
                if (f >= p0 + TargetBuilder.PauseMarginFrames + 3 && f < p1 - TargetBuilder.PauseMarginFrames - 3)
                {
                    Assert.Equal(1f, At(on, f, FeatureShard.MaskOffset, b));
                    Assert.True(At(on, f, FeatureShard.GainOffset, b) < 0.05f, $"frame {f} band {b}: gain {At(on, f, FeatureShard.GainOffset, b)}");
                    counted++;
                }
            }
            // Below the bandwidth nothing changes.
            for (int b = 0; b < firstAbove; b++)
                Assert.Equal(At(off, f, FeatureShard.MaskOffset, b), At(on, f, FeatureShard.MaskOffset, b));
        }
        Assert.True(counted > 0);
        // The frames next to speech keep the old rule: an onset's high bands are not asked to close.
        for (int f = 0; f < Short.Frames; f++)
            if (At(on, f, FeatureShard.VadOffset, 0) > 0.5f)
                for (int d = -TargetBuilder.PauseMarginFrames; d <= TargetBuilder.PauseMarginFrames; d++)
                    if (f + d >= 0 && f + d < Short.Frames)
                        Assert.Equal(0f, At(on, f + d, FeatureShard.MaskOffset, firstAbove));
    }

    /// <summary>
    /// A target of harmonic "speech" (200 Hz, harmonics to 4 kHz) at amplitude <paramref name="level"/>(frame)
    /// over the recording's own white hiss at -60 dBFS; the noisy side adds white noise at -40 dBFS.
    /// </summary>
    private static SynthesizedSequence SpeechOverHiss(int frames, Func<int, double> level, int seed)
    {
        const int n = FrameLayout.FrameSize;
        var rng = new Random(seed);
        var target = new float[frames * n];
        var noisy = new float[frames * n];
        for (int i = 0; i < target.Length; i++)
        {
            double t = (double)i / FrameLayout.SampleRate, v = 0, a = level(i / n);
            if (a > 0) for (int h = 1; h * 200 < 4000; h++) v += a * Math.Sin(2 * Math.PI * 200 * h * t) / h;
            target[i] = (float)(v + 1e-3 * Math.Sqrt(3) * (2 * rng.NextDouble() - 1));
            noisy[i] = target[i] + (float)(1e-2 * Math.Sqrt(3) * (2 * rng.NextDouble() - 1));
        }
        return new SynthesizedSequence(noisy, target, 24000, "test");
    }

    /// <summary>Every value of the rows but the gain targets is the same.</summary>
    private static void AssertOnlyGainTargetsDiffer(float[] a, float[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            int k = i % FeatureShard.FrameFloats;
            if (k < FeatureShard.GainOffset || k >= FeatureShard.GainOffset + FrameLayout.BandCount) Assert.Equal(a[i], b[i]);
        }
    }

    private static float[] BuildRows(TargetBuilder builder, SynthesizedSequence seq)
    {
        var rows = new float[seq.Noisy.Length / FrameLayout.FrameSize * FeatureShard.FrameFloats];
        builder.Build(seq, rows);
        return rows;
    }

    [Fact]
    public void TargetBackgroundRemovalSilencesTheRecordingsOwnHissAndKeepsSpeech()
    {
        // A "recording": harmonic speech at about -20 dBFS in two stretches over its own white hiss
        // at -60 dBFS; the mixture adds white noise at -40 dBFS.
        const int frames = 300;
        var seq = SpeechOverHiss(frames, f => f is >= 50 and < 150 or >= 200 and < 260 ? 0.05 : 0, seed: 5);
        float[] Build(TargetBuilder builder) => BuildRows(builder, seq);
        var plain = Build(new TargetBuilder());
        var off = Build(new TargetBuilder { BackgroundRemoval = 0 });
        var on = Build(new TargetBuilder { BackgroundRemoval = 1.5 });
        Assert.Equal(plain, off); // 0 is the old targets, bit for bit
        float G(float[] rows, int f, int b) => rows[f * FeatureShard.FrameFloats + FeatureShard.GainOffset + b];
        // Pauses (away from the speech by more than the analysis window): the hiss was kept at about
        // -20 dB (its level under the added noise) and is now asked to go.
        double pauseOff = 0, pauseOn = 0; int cells = 0;
        foreach (int f in Enumerable.Range(160, 30).Concat(Enumerable.Range(270, 25)))
            for (int b = 0; b < FrameLayout.BandCount; b++) { pauseOff += G(off, f, b); pauseOn += G(on, f, b); cells++; }
        pauseOff /= cells; pauseOn /= cells;
        Assert.InRange(pauseOff, 0.07, 0.14);
        Assert.True(pauseOn < pauseOff / 4, $"pause gain {pauseOn:F3} against {pauseOff:F3} without removal");
        // Speech cells (kept at 0.7 or more before) lose at most 0.5 dB (the most: band 0, which holds
        // only the leakage of the 200 Hz harmonic, 0.4 dB).
        int speechCells = 0;
        foreach (int f in Enumerable.Range(60, 80).Concat(Enumerable.Range(210, 40)))
            for (int b = 0; b < FrameLayout.BandCount; b++)
                if (G(off, f, b) >= 0.7f)
                {
                    Assert.True(G(on, f, b) >= 0.944f * G(off, f, b), $"frame {f} band {b}: {G(on, f, b):F3} against {G(off, f, b):F3}");
                    speechCells++;
                }
        Assert.True(speechCells > 500, $"{speechCells} speech cells");
        AssertOnlyGainTargetsDiffer(off, on);
    }

    [Fact]
    public void ZeroPauseTargetsClearsThePausesFarFromSpeechAndNothingElse()
    {
        // As above: speech in two stretches (frames 50-149 and 200-259) over the recording's own hiss,
        // with noise added; and one weak stretch (frames 170-179, 25 dB down), which counts as speech.
        const int frames = 330;
        var seq = SpeechOverHiss(frames, f => f is >= 50 and < 150 or >= 200 and < 260 ? 0.05 : f is >= 170 and < 180 ? 0.05 * Math.Pow(10, -25 / 20.0) : 0, seed: 6);
        float[] Build(TargetBuilder builder) => BuildRows(builder, seq);
        var off = Build(new TargetBuilder { BackgroundRemoval = 1.0 });
        var on = Build(new TargetBuilder { BackgroundRemoval = 1.0, ZeroPauseTargets = true });
        Assert.Equal(off, Build(new TargetBuilder { BackgroundRemoval = 1.0, ZeroPauseTargets = false }));
        float G(float[] rows, int f, int b) => rows[f * FeatureShard.FrameFloats + FeatureShard.GainOffset + b];
        int m = TargetBuilder.PauseZeroMarginFrames;
        // Loud frames: 50-149, 170-179, 200-259; "near" = within m of one of them.
        bool Near(int f) => Enumerable.Range(f - m, 2 * m + 1).Any(k => k is >= 50 and < 150 or >= 170 and < 180 or >= 200 and < 260);
        int cleared = 0, leftOver = 0;
        for (int f = 0; f < frames; f++)
            for (int b = 0; b < FrameLayout.BandCount; b++)
            {
                // One frame of slack each side: the 10 ms levels and the analysis frames are offset by half a window.
                if (!Near(f - 1) && !Near(f + 1)) { Assert.Equal(0f, G(on, f, b)); if (G(off, f, b) > 0.01f) leftOver++; cleared++; }
                else if (Near(f - 1) && Near(f + 1)) Assert.Equal(G(off, f, b), G(on, f, b));
            }
        Assert.True(cleared > 60 * FrameLayout.BandCount, $"{cleared} cells cleared");
        Assert.True(leftOver > 100, $"only {leftOver} cleared cells had a target above -40 dB: the test did not exercise the change");
        AssertOnlyGainTargetsDiffer(off, on);
    }

    [Fact]
    public void ZeroPauseRangeOf40NeverClearsAFrameTheSpeechTargetCallsSpeech()
    {
        // A quiet word (frames 190-219) 35 dB below the loud speech (50-149, about -13 dBFS), far from
        // it: within the speech-presence range (40 dB) but outside the default zero-pause range (30 dB).
        // The recording's hiss is 47 dB below the loud speech, outside both.
        const int frames = 330;
        var seq = SpeechOverHiss(frames, f => f is >= 50 and < 150 ? 0.25 : f is >= 190 and < 220 ? 0.25 * Math.Pow(10, -35 / 20.0) : 0, seed: 7);
        float[] Build(TargetBuilder builder) => BuildRows(builder, seq);
        var off = Build(new TargetBuilder { BackgroundRemoval = 1.0 });
        var r30 = Build(new TargetBuilder { BackgroundRemoval = 1.0, ZeroPauseTargets = true });
        Assert.Equal(r30, Build(new TargetBuilder { BackgroundRemoval = 1.0, ZeroPauseTargets = true, PauseZeroRangeDb = TargetBuilder.DefaultPauseZeroRangeDb }));
        var r40 = Build(new TargetBuilder { BackgroundRemoval = 1.0, ZeroPauseTargets = true, PauseZeroRangeDb = 40 });
        float G(float[] rows, int f, int b) => rows[f * FeatureShard.FrameFloats + FeatureShard.GainOffset + b];
        bool Cleared(float[] rows, int f) => Enumerable.Range(0, FrameLayout.BandCount).All(b => G(rows, f, b) == 0) && Enumerable.Range(0, FrameLayout.BandCount).Any(b => G(off, f, b) > 0);
        int vadFrames = 0, vadCleared30 = 0;
        for (int f = 0; f < frames; f++)
        {
            if (off[f * FeatureShard.FrameFloats + FeatureShard.VadOffset] < 0.5f) continue;
            vadFrames++;
            if (Cleared(r30, f)) vadCleared30++;
            Assert.False(Cleared(r40, f), $"frame {f}: speech by its speech-presence target, cleared at 40 dB");
        }
        // The default range clears the quiet word (the failure this option exists for)...
        Assert.True(vadCleared30 >= 20, $"{vadCleared30} speech frames cleared at 30 dB");
        Assert.True(vadFrames >= 120, $"{vadFrames} speech frames");
        // ...and 40 dB still clears the pauses far from both stretches (frames 260 on, after the margin).
        Assert.True(Enumerable.Range(245, 80).Count(f => Cleared(r40, f)) >= 70, "40 dB cleared no pause");
        AssertOnlyGainTargetsDiffer(off, r40);
    }

    [Theory]
    [InlineData(new[] { 0, 0, 9, 0, 0, 0, 0, 0 }, 1, new[] { true, false, false, false, true, true, true, true })]
    [InlineData(new[] { 0, 0, 0, 0, 0, 0 }, 2, new[] { true, true, true, true, true, true })]
    [InlineData(new[] { 9, 0, 0, 0, 0, 9 }, 1, new[] { false, false, true, true, false, false })]
    public void FarFromSpeechLooksBothWays(int[] levels, int margin, bool[] far) =>
        Assert.Equal(far, TargetBuilder.FarFromSpeech(levels.Select(v => (double)v).ToArray(), 5, margin));

    [Fact]
    public void FeaturesAreCausalAndTargetsUseTheLookahead()
    {
        var lib = new CorpusLibrary(_corpus.Manifest, "train");
        var seq = new Synthesizer(lib, Short).Make(21);
        var a = new float[Short.Frames * FeatureShard.FrameFloats];
        new TargetBuilder().Build(seq, a);
        // Change everything from frame 100 on: features of frames before 100 must not move; the
        // targets of frames 98 and 99 may (their analysis reads 2 frames ahead).
        var noisy = (float[])seq.Noisy.Clone();
        var target = (float[])seq.Target.Clone();
        var rng = new Random(5);
        for (int i = 100 * FrameLayout.FrameSize; i < noisy.Length; i++) { noisy[i] = (float)(rng.NextDouble() - 0.5); target[i] = 0; }
        var b = new float[a.Length];
        new TargetBuilder().Build(seq with { Noisy = noisy, Target = target }, b);
        int row = FeatureShard.FrameFloats;
        for (int f = 0; f < 100; f++)
            Assert.True(a.AsSpan(f * row, FeatureShard.Features).SequenceEqual(b.AsSpan(f * row, FeatureShard.Features)), $"features of frame {f} changed");
        for (int f = 0; f < 97; f++)
            Assert.True(a.AsSpan(f * row + FeatureShard.GainOffset, 2 * FrameLayout.BandCount).SequenceEqual(b.AsSpan(f * row + FeatureShard.GainOffset, 2 * FrameLayout.BandCount)), $"targets of frame {f} changed");
        Assert.False(a.AsSpan(99 * row + FeatureShard.GainOffset, 2 * FrameLayout.BandCount).SequenceEqual(b.AsSpan(99 * row + FeatureShard.GainOffset, 2 * FrameLayout.BandCount)));
    }

    [Fact]
    public void ShardsAreReproducibleAndResumable()
    {
        string dir = Path.Combine(_corpus.Dir, "shards-" + Guid.NewGuid().ToString("N"));
        var o = Short with { Frames = 60 };
        ShardGenerator.Generate(_corpus.Manifest, "train", dir, 5, 2, 9, o, parallelism: 2);
        var files = Directory.GetFiles(dir).Order().ToArray();
        Assert.Equal(3, files.Length);
        var first = FeatureShard.Read(files[0]).Frames;
        File.Delete(files[0]);
        ShardGenerator.Generate(_corpus.Manifest, "train", dir, 5, 2, 9, o, parallelism: 1);
        Assert.Equal(first, FeatureShard.Read(files[0]).Frames);
        Assert.Equal(1, FeatureShard.Read(files[2]).SequenceCount);
    }

    [Fact]
    public void MixturesAreWavPairsOfHeldOutSpeechWithNoiseAndReproducible()
    {
        string dir = Path.Combine(_corpus.Dir, "mix-" + Guid.NewGuid().ToString("N"));
        var o = Short with { Frames = 120 };
        var lines = MixtureWriter.Write(_corpus.Manifest, "val", dir, 6, 4, o);
        Assert.Equal(6, lines.Count);
        var valSpeakers = _corpus.Manifest.Where(e => e.Kind == CorpusKind.Speech && e.Split == "val").Select(e => e.Group).ToHashSet();
        for (int i = 0; i < 6; i++)
        {
            var noisy = AudioFile.Read(Path.Combine(dir, MixtureWriter.NoisyFolder, MixtureWriter.FileName(i)));
            var clean = AudioFile.Read(Path.Combine(dir, MixtureWriter.CleanFolder, MixtureWriter.FileName(i)));
            Assert.Equal(48000, noisy.SampleRate);
            Assert.Equal(120 * FrameLayout.FrameSize, noisy.Length);
            Assert.Equal(noisy.Length, clean.Length);
            // Speech in the target, and noise on top of it in the input (never noise-only or clean-only).
            double es = clean.Channels[0].Sum(v => (double)v * v), en = noisy.Channels[0].Zip(clean.Channels[0], (y, x) => (double)(y - x) * (y - x)).Sum();
            Assert.True(es > 1e-3, $"mixture {i}: target energy {es}");
            Assert.True(en > 1e-6, $"mixture {i}: noise energy {en}");
            Assert.Contains(valSpeakers, g => lines[i].Contains(g, StringComparison.Ordinal));
        }
        Assert.Equal(7, File.ReadAllLines(Path.Combine(dir, "mixtures.tsv")).Length);
        // Same seed: the same audio (a rerun rewrites a deleted pair identically).
        string again = Path.Combine(dir, MixtureWriter.CleanFolder, MixtureWriter.FileName(3));
        var before = AudioFile.Read(again).Channels[0];
        File.Delete(again);
        File.Delete(Path.Combine(dir, MixtureWriter.NoisyFolder, MixtureWriter.FileName(3)));
        Assert.Equal(lines, MixtureWriter.Write(_corpus.Manifest, "val", dir, 6, 4, o));
        Assert.Equal(before, AudioFile.Read(again).Channels[0]);
    }

    [Fact]
    public void RoomTargetKeepsEarlyPartAndShortensTheTail()
    {
        var room = RoomSimulator.Random(new Random(5), 0.8, 0.9);
        Assert.Equal(1f, room.Response[room.DirectIndex], 2);
        var t = room.Target(20, 1.0, 0.2);
        int early = room.DirectIndex + 960;
        for (int i = 0; i < early; i++) Assert.Equal(room.Response[i], t[i]);
        double Tail(float[] h) { double s = 0; for (int i = early + 9600; i < h.Length; i++) s += h[i] * h[i]; return s; }
        // 200 ms after the early part, the shortened tail is >= 30 dB below the original.
        Assert.True(Tail(t) < Tail(room.Response) * 1e-3, $"{Tail(t)} vs {Tail(room.Response)}");
        var measured = RoomResponse.FromMeasured(room.Response);
        // Schroeder T20 of an image-method room runs longer than the Sabine design value.
        Assert.InRange(measured.Rt60, 0.5, 1.5);
    }
}
