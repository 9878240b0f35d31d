using PercepNet.Audio;
using PercepNet.Dsp;
using PercepNet.Training.Corpus;

namespace PercepNet.Training.Data;

/// <summary>Ranges and probabilities of the training-data synthesis (docs/algorithm.md section 10).</summary>
public sealed record SynthesisOptions
{
    public int Frames { get; init; } = 500;
    public double SnrMinDb { get; init; } = -5;
    public double SnrMaxDb { get; init; } = 40;

    /// <summary>
    /// SNR = min + (max - min) u^skew for uniform u: 1 is uniform in dB; larger values put more
    /// mixtures at low SNR, where there is most to learn (1.5: median 10.9 dB, 63% below 17.5 dB).
    /// </summary>
    public double SnrSkew { get; init; } = 1.5;
    public double SpeechLevelMinDbfs { get; init; } = -45;
    public double SpeechLevelMaxDbfs { get; init; } = -6;

    /// <summary>
    /// Probability that a mixture's speech is quiet: its active level drawn from
    /// <see cref="QuietSpeechLevelDbfs"/> instead of [SpeechLevelMinDbfs, SpeechLevelMaxDbfs]
    /// (noise follows at the drawn SNR). Recordings far below -45 dBFS (a distant or badly set
    /// microphone) otherwise look like nothing the network was trained on, and it removes them.
    /// 0 = as before (no extra random draw).
    /// </summary>
    public double QuietSpeechProbability { get; init; }

    /// <summary>Active-level range of quiet speech, dBFS (see <see cref="QuietSpeechProbability"/>).</summary>
    public double[] QuietSpeechLevelDbfs { get; init; } = [-70, -45];
    public double NoiseOnlyProbability { get; init; } = 0.05;
    public double CleanOnlyProbability { get; init; } = 0.05;
    public double SecondNoiseProbability { get; init; } = 0.3;
    public double ReverbProbability { get; init; } = 0.4;
    public double MeasuredRoomFraction { get; init; } = 0.3;
    public double LowPassProbability { get; init; } = 0.2;

    /// <summary>
    /// Probability that the whole mixture (and the target) passes through a lower sample rate and
    /// back, as 8-32 kHz recordings do when they are resampled to 48 kHz: nothing at all above the
    /// old Nyquist frequency, unlike the gentle <see cref="LowPassProbability"/> low-pass.
    /// </summary>
    public double BandLimitProbability { get; init; } = 0.2;

    /// <summary>Rates the band limit picks from, uniformly (repeats weight a rate).</summary>
    public int[] BandLimitRates { get; init; } = [8000, 16000, 16000, 16000, 22050, 24000, 32000];
    /// <summary>
    /// Probability that an utterance is played faster or slower (pitch, formants and tempo together,
    /// like Kaldi's speed perturbation): more voices from the same few hundred speakers.
    /// 0 draws nothing, so sequences are then the same as before this option existed.
    /// </summary>
    public double SpeedPerturbProbability { get; init; } = 0.5;

    /// <summary>
    /// Speed perturbation resamples 48 kHz to one of these rates and plays the result at 48 kHz:
    /// speed factor 48000 / rate (0.89-1.14 here). Rates with a small ratio to 48 kHz keep the
    /// resampler's filter tables small.
    /// </summary>
    public int[] SpeedPerturbRates { get; init; } = [42000, 44000, 45000, 46000, 50000, 51000, 52000, 54000];

    /// <summary>
    /// Probability that an utterance gets a new voice (<see cref="VoiceShift"/>): pitch and formants
    /// moved by a factor drawn uniformly in semitones from <see cref="PitchSemitones"/>, then the
    /// formants alone by a factor drawn log-uniformly from <see cref="FormantFactors"/>; tempo kept.
    /// Such utterances are not speed-perturbed. 0 draws nothing (sequences as before this option).
    /// </summary>
    public double VoiceShiftProbability { get; init; }

    /// <summary>Range of the pitch (and formant) shift, semitones: [-4, 8] reaches child-like voices from adult ones.</summary>
    public double[] PitchSemitones { get; init; } = [-4, 8];

    /// <summary>Range of the additional formant-only factor (vocal tract length), drawn log-uniformly.</summary>
    public double[] FormantFactors { get; init; } = [0.88, 1.15];

    /// <summary>
    /// Speaker-balanced sampling: null picks utterances uniformly over files (the behaviour before
    /// this option: a speaker with many files is heard often). A number a picks a speaker (the
    /// corpus group of a source) with probability proportional to (its hours of speech)^a, then a
    /// file of it uniformly: 0 = every speaker equally often, 1 = by amount of speech.
    /// </summary>
    public double? SpeakerBalance { get; init; }

    /// <summary>
    /// How recorded noise files are drawn: null picks uniformly over files (the behaviour before this
    /// option). A number b picks a file with probability proportional to (its duration)^b: 1 = every
    /// second of recorded noise equally often, so long ambient recordings (streets, trains, rooms)
    /// are not drowned by thousands of 4 s event clips.
    /// </summary>
    public double? NoiseDurationWeight { get; init; }

    /// <summary>
    /// Probability that a recorded or coloured noise surges: its level follows a slow random
    /// envelope (three sinusoids of 0.05-2 Hz in dB, 6-20 dB from trough to peak), as waves, wind
    /// and passing traffic do. 0 (default): no envelope, and the random draws are as before this
    /// option, so older recipes make the same mixtures.
    /// </summary>
    public double NoiseEnvelopeProbability { get; init; }

    /// <summary>
    /// Probability that a recorded noise is played faster or slower (resampled to one of
    /// <see cref="NoiseSpeedRates"/> and played at 48 kHz): every frequency of the recording moves
    /// by the factor, so the few hours of recorded noise give spectra that none of them has. 0
    /// (default): the random draws are as before this option, so older recipes make the same mixtures.
    /// </summary>
    public double NoiseSpeedProbability { get; init; }

    /// <summary>
    /// Rates of <see cref="NoiseSpeedProbability"/>: speed factor 48000 / rate, here 0.75-1.33
    /// (rates with small ratios to 48 kHz keep the resampler's tables small).
    /// </summary>
    public int[] NoiseSpeedRates { get; init; } = [36000, 40000, 42000, 44000, 52000, 54000, 56000, 60000, 64000];

    /// <summary>
    /// Lowest SNR of babble noise (dB), or null for none beyond the general range. Babble of a few
    /// talkers at -5 dB asks the network to pick one voice out of several, which it can only learn
    /// as "keep the voices I know" (issue 13's suspect for deleted unseen voices).
    /// </summary>
    public double? BabbleMinSnrDb { get; init; }

    /// <summary>Number of babble talkers, inclusive range (default 3-7).</summary>
    public int[] BabbleTalkers { get; init; } = [3, 7];

    /// <summary>
    /// Probability that a babble talker is distant: its speech goes through the full response of a
    /// random simulated room (<see cref="RoomSimulator"/>), as the voices of a cafe or a public square
    /// reach a microphone. 0 (default) draws nothing, so older recipes make the same mixtures.
    /// </summary>
    public double BabbleReverbProbability { get; init; }

    /// <summary>
    /// Probability that a mixture also holds a few voices in the background, on top of its noise:
    /// <see cref="BackgroundTalkers"/> talkers (each a stream of utterances of the corpus, as babble's
    /// are), each distant (through a random simulated room), together <see cref="BackgroundTalkersSnrDb"/>
    /// below the speech, as a cafe, an office or a square adds the voices of a table or two to its
    /// ambience (VB+DEMAND's low-SNR pairs). 0 (default) draws nothing, so older recipes make the
    /// same mixtures.
    /// </summary>
    public double BackgroundTalkersProbability { get; init; }

    /// <summary>Number of background talkers, inclusive range (default 1-3).</summary>
    public int[] BackgroundTalkers { get; init; } = [1, 3];

    /// <summary>Range of the background talkers' SNR against the speech, dB (uniform; default 5-15).</summary>
    public double[] BackgroundTalkersSnrDb { get; init; } = [5, 15];

    /// <summary>
    /// Probability that a mixture gets gaps of digital silence (input and target exactly 0), as
    /// edited recordings, muted or gated microphones and concatenated clips have: 1-3 gaps of
    /// <see cref="GapSeconds"/>, the first at the very start half of the time. Speech right after
    /// such a gap was deleted by models that never saw one (issue 13). 0 draws nothing, so
    /// sequences are then the same as before this option existed.
    /// </summary>
    public double GapProbability { get; init; }

    /// <summary>Range of a gap's length, seconds (uniform).</summary>
    public double[] GapSeconds { get; init; } = [0.2, 2.5];

    /// <summary>
    /// Over-subtraction of the target's own background when shards are built
    /// (<see cref="TargetBuilder.BackgroundRemoval"/>; 0, the default: targets as before). The
    /// mixtures themselves do not change.
    /// </summary>
    public double TargetBackgroundRemoval { get; init; }

    /// <summary>Gain targets of 0 in the pauses far from speech when shards are built (<see cref="TargetBuilder.ZeroPauseTargets"/>; false, the default: as before). The mixtures do not change.</summary>
    public bool ZeroPauseTargets { get; init; }

    /// <summary>The speech range of <see cref="ZeroPauseTargets"/> (<see cref="TargetBuilder.PauseZeroRangeDb"/>; default 30 dB).</summary>
    public double ZeroPauseRangeDb { get; init; } = TargetBuilder.DefaultPauseZeroRangeDb;

    public double ClipProbability { get; init; } = 0.05;
    public double QuantiseProbability { get; init; } = 0.2;
    public double SpeechEqProbability { get; init; } = 0.7;
    public double NoiseEqProbability { get; init; } = 0.7;
    /// <summary>Shares of the noise types: corpus recordings, stationary coloured, babble, typing.</summary>
    public double[] NoiseTypeWeights { get; init; } = [0.7, 0.1, 0.12, 0.08];
    /// <summary>Target reverberation: early part kept (ms) and tail shortened to this RT60 (s).</summary>
    public double EarlyMs { get; init; } = 20;
    public double TargetRt60 { get; init; } = 0.2;
}

/// <summary>One synthesised training sequence at 48 kHz.</summary>
/// <param name="Noisy">The network's input.</param>
/// <param name="Target">The speech the output should be (dry or with early reflections).</param>
/// <param name="BandwidthHz">Highest frequency the target can contain (source bandwidth, random low-pass).</param>
public sealed record SynthesizedSequence(float[] Noisy, float[] Target, double BandwidthHz, string Description);

/// <summary>
/// Builds noisy/target pairs from a corpus: speech utterances (with pauses) at random levels and
/// EQ, optional reverberation (simulated or measured rooms; the target keeps direct path and early
/// reflections, with a shortened tail), one or two noises at a random SNR (recorded, stationary
/// coloured, babble from other speakers, synthetic typing), random low-pass, clipping and 16-bit
/// quantisation. Deterministic for a given seed.
/// </summary>
public sealed class Synthesizer
{
    private readonly CorpusLibrary _lib;
    private readonly SynthesisOptions _o;
    private readonly RoomResponse[] _measuredRooms;

    public Synthesizer(CorpusLibrary library, SynthesisOptions options)
    {
        _lib = library;
        _o = options;
        _measuredRooms = library.Rooms.Select(r => RoomResponse.FromMeasured(library.Load(r))).ToArray();
    }

    public SynthesizedSequence Make(int seed)
    {
        var rng = new Random(seed);
        int n = _o.Frames * FrameLayout.FrameSize;
        var desc = new List<string>();
        bool noiseOnly = rng.NextDouble() < _o.NoiseOnlyProbability;
        bool cleanOnly = !noiseOnly && rng.NextDouble() < _o.CleanOnlyProbability;

        // Speech: utterances back to back with pauses of 0-0.5 s, starting at a random point of the first.
        var speech = new float[n];
        double bandwidth = 24000;
        int pos = -(int)(rng.NextDouble() * FrameLayout.SampleRate);
        int perturbed = 0, shifted = 0;
        while (pos < n)
        {
            var e = _o.SpeakerBalance is { } balance ? _lib.PickBalanced(rng, balance) : _lib.Speech[rng.Next(_lib.Speech.Length)];
            var u = _lib.Load(e);
            double utteranceBandwidth = e.BandwidthHz;
            if (_o.VoiceShiftProbability > 0 && rng.NextDouble() < _o.VoiceShiftProbability)
            {
                double semitones = _o.PitchSemitones[0] + (_o.PitchSemitones[1] - _o.PitchSemitones[0]) * rng.NextDouble();
                double formant = Math.Exp(Math.Log(_o.FormantFactors[0]) + (Math.Log(_o.FormantFactors[1]) - Math.Log(_o.FormantFactors[0])) * rng.NextDouble());
                (u, utteranceBandwidth, _) = VoiceShift.PitchShift(u, utteranceBandwidth, Math.Pow(2, semitones / 12));
                (u, utteranceBandwidth) = VoiceShift.FormantShift(u, utteranceBandwidth, formant);
                shifted++;
            }
            else if (_o.SpeedPerturbProbability > 0 && rng.NextDouble() < _o.SpeedPerturbProbability)
            {
                (u, utteranceBandwidth) = SpeedPerturb(u, utteranceBandwidth, _o.SpeedPerturbRates[rng.Next(_o.SpeedPerturbRates.Length)]);
                perturbed++;
            }
            for (int i = Math.Max(0, -pos); i < u.Length && pos + i < n; i++) speech[pos + i] = u[i];
            bandwidth = Math.Min(bandwidth, utteranceBandwidth);
            pos += u.Length + (int)(rng.NextDouble() * 0.5 * FrameLayout.SampleRate);
            if (desc.Count == 0) desc.Add($"speech {e.Source}/{e.Group}");
        }
        if (perturbed > 0) desc.Add($"{perturbed} utterance(s) speed-perturbed");
        if (shifted > 0) desc.Add($"{shifted} utterance(s) voice-shifted");
        if (rng.NextDouble() < _o.SpeechEqProbability) Biquad.RandomEq(rng).Apply(speech);
        double speechDb = _o.SpeechLevelMinDbfs + (_o.SpeechLevelMaxDbfs - _o.SpeechLevelMinDbfs) * rng.NextDouble();
        if (_o.QuietSpeechProbability > 0 && rng.NextDouble() < _o.QuietSpeechProbability)
        {
            speechDb = _o.QuietSpeechLevelDbfs[0] + (_o.QuietSpeechLevelDbfs[1] - _o.QuietSpeechLevelDbfs[0]) * rng.NextDouble();
            desc.Add($"quiet speech {speechDb:F1} dBFS");
        }
        Scale(speech, speechDb - ActiveLevelDb(speech));

        // Reverberation: input gets the full response, the target the early part + short tail.
        float[] target = speech, input = speech;
        if (rng.NextDouble() < _o.ReverbProbability)
        {
            bool measured = _measuredRooms.Length > 0 && rng.NextDouble() < _o.MeasuredRoomFraction;
            var room = measured ? _measuredRooms[rng.Next(_measuredRooms.Length)] : RoomSimulator.Random(rng);
            input = FftConvolver.Convolve(speech, room.Response);
            target = FftConvolver.Convolve(speech, room.Target(_o.EarlyMs, 0.5 + rng.NextDouble(), _o.TargetRt60));
            desc.Add($"room rt60 {room.Rt60:F2}{(measured ? " measured" : "")}");
        }
        if (noiseOnly) { Array.Clear(target); input = new float[n]; desc.Add("noise only"); }

        var noisy = (float[])input.Clone();
        if (!cleanOnly)
        {
            int count = rng.NextDouble() < _o.SecondNoiseProbability ? 2 : 1;
            double snr = _o.SnrMinDb + (_o.SnrMaxDb - _o.SnrMinDb) * Math.Pow(rng.NextDouble(), _o.SnrSkew);
            double speechPowerDb = noiseOnly ? speechDb : ActiveLevelDb(input);
            for (int k = 0; k < count; k++)
            {
                var (noise, what) = MakeNoise(rng, n);
                if (rng.NextDouble() < _o.NoiseEqProbability) Biquad.RandomEq(rng).Apply(noise);
                if (_o.NoiseEnvelopeProbability > 0 && (what.StartsWith("noise ", StringComparison.Ordinal) || what.StartsWith("coloured", StringComparison.Ordinal))
                    && rng.NextDouble() < _o.NoiseEnvelopeProbability)
                    what += $" surging {ApplySlowEnvelope(rng, noise):F0} dB";
                double noiseSnr = _o.BabbleMinSnrDb is { } floor && what.StartsWith("babble", StringComparison.Ordinal) ? Math.Max(snr, floor) : snr;
                // Split the noise power between the noises (second one 0-10 dB weaker).
                double level = speechPowerDb - noiseSnr - (k == 0 ? 0 : 10 * rng.NextDouble()) - (count == 2 ? 3 : 0);
                Scale(noise, level - MeanLevelDb(noise));
                for (int i = 0; i < n; i++) noisy[i] += noise[i];
                desc.Add($"{what} snr {noiseSnr:F1}");
            }
            if (_o.BackgroundTalkersProbability > 0 && rng.NextDouble() < _o.BackgroundTalkersProbability)
            {
                int[] range = _o.BackgroundTalkers;
                var (voices, talkers) = MakeTalkers(rng, n, range[0] + rng.Next(range[1] - range[0] + 1), 1);
                double voicesSnr = _o.BackgroundTalkersSnrDb[0] + (_o.BackgroundTalkersSnrDb[1] - _o.BackgroundTalkersSnrDb[0]) * rng.NextDouble();
                Scale(voices, speechPowerDb - voicesSnr - MeanLevelDb(voices));
                for (int i = 0; i < n; i++) noisy[i] += voices[i];
                desc.Add($"{talkers} background talker(s) snr {voicesSnr:F1}");
            }
        }
        else desc.Add("clean only");

        if (rng.NextDouble() < _o.LowPassProbability)
        {
            double fc = 3000 + 17000 * rng.NextDouble();
            var lp = Biquad.LowPass(fc, FrameLayout.SampleRate);
            // Two sections: 24 dB/octave. The target is filtered the same way (it is what we can hear).
            lp.Apply(noisy); lp.Apply(noisy);
            target = (float[])target.Clone();
            lp.Apply(target); lp.Apply(target);
            bandwidth = Math.Min(bandwidth, fc);
            desc.Add($"lowpass {fc:F0}");
        }
        if (rng.NextDouble() < _o.ClipProbability)
        {
            float peak = noisy.Max(MathF.Abs);
            float limit = peak * (float)(0.3 + 0.5 * rng.NextDouble());
            float gain = Math.Min(1f, 0.99f / Math.Max(limit, 1e-9f));
            for (int i = 0; i < n; i++) noisy[i] = Math.Clamp(noisy[i], -limit, limit) * gain;
            for (int i = 0; i < n; i++) target[i] *= gain; // same overall gain on the target, unclipped
            desc.Add("clipped");
        }
        if (rng.NextDouble() < _o.QuantiseProbability)
        {
            for (int i = 0; i < n; i++) noisy[i] = MathF.Round(Math.Clamp(noisy[i], -1f, 1f) * 32767f) / 32767f;
            desc.Add("16-bit");
        }
        // Last: a recording made (clipped, quantised) at a lower rate, then resampled to 48 kHz.
        if (rng.NextDouble() < _o.BandLimitProbability)
        {
            int rate = _o.BandLimitRates[rng.Next(_o.BandLimitRates.Length)];
            noisy = BandLimit(noisy, rate, n);
            target = BandLimit(target.AsSpan(0, Math.Min(n, target.Length)), rate, n);
            // The resampler's passband ends a little below the old Nyquist frequency.
            bandwidth = Math.Min(bandwidth, ResampledBandwidthHz(rate));
            desc.Add($"via {rate} Hz");
        }
        if (target.Length != n) target = target.AsSpan(0, n).ToArray();
        if (_o.GapProbability > 0 && rng.NextDouble() < _o.GapProbability)
        {
            int gaps = 1 + rng.Next(3);
            bool leading = rng.NextDouble() < 0.5;
            for (int k = 0; k < gaps; k++)
            {
                int length = (int)((_o.GapSeconds[0] + (_o.GapSeconds[1] - _o.GapSeconds[0]) * rng.NextDouble()) * FrameLayout.SampleRate);
                int start = k == 0 && leading ? 0 : rng.Next(n);
                length = Math.Min(length, n - start);
                if (ReferenceEquals(target, speech) || ReferenceEquals(target, input)) target = (float[])target.Clone();
                Array.Clear(noisy, start, length);
                Array.Clear(target, start, length);
            }
            desc.Add($"{gaps} gap(s){(leading ? " from the start" : "")}");
        }
        for (int i = 0; i < n; i++) noisy[i] = Math.Clamp(noisy[i], -1f, 1f);
        return new SynthesizedSequence(noisy, target, bandwidth, string.Join(", ", desc));
    }

    /// <summary>
    /// Highest frequency audio keeps after our resampler took it to or from <paramref name="rate"/>
    /// (its passband ends a little below the lower Nyquist frequency).
    /// </summary>
    public static double ResampledBandwidthHz(int rate) => 0.47 * Math.Min(rate, FrameLayout.SampleRate);

    /// <summary>
    /// <paramref name="x"/> (48 kHz) resampled to <paramref name="rate"/> and played at 48 kHz: every
    /// frequency times 48000 / rate, duration divided by it. Returns the new bandwidth: what lay below
    /// both Nyquist frequencies (the resampler's passband ends a little below them), scaled.
    /// </summary>
    internal static (float[] Audio, double BandwidthHz) SpeedPerturb(ReadOnlySpan<float> x, double bandwidthHz, int rate)
    {
        double factor = (double)FrameLayout.SampleRate / rate;
        return (Resampler.Resample(x, FrameLayout.SampleRate, rate),
                Math.Min(bandwidthHz, ResampledBandwidthHz(rate)) * factor);
    }

    /// <summary><paramref name="x"/> (48 kHz) resampled to <paramref name="rate"/> and back, <paramref name="n"/> samples.</summary>
    private static float[] BandLimit(ReadOnlySpan<float> x, int rate, int n)
    {
        var back = Resampler.Resample(Resampler.Resample(x, FrameLayout.SampleRate, rate), rate, FrameLayout.SampleRate);
        var y = new float[n];
        back.AsSpan(0, Math.Min(n, back.Length)).CopyTo(y);
        return y;
    }

    /// <summary>
    /// <paramref name="talkers"/> other talkers' speech, each at a random level within 10 dB, each
    /// distant (through a random simulated room) with probability <paramref name="reverb"/> (0 draws
    /// nothing); returns the sum and how many were distant.
    /// </summary>
    private (float[] Voices, int Distant) MakeTalkers(Random rng, int n, int talkers, double reverb)
    {
        var x = new float[n];
        int reverberant = 0;
        for (int t = 0; t < talkers; t++)
        {
            var s = new float[n];
            int p = -(int)(rng.NextDouble() * FrameLayout.SampleRate * 2);
            while (p < n)
            {
                var utt = _lib.Load(_lib.Speech[rng.Next(_lib.Speech.Length)]);
                for (int i = Math.Max(0, -p); i < utt.Length && p + i < n; i++) s[p + i] = utt[i];
                p += utt.Length + (int)(rng.NextDouble() * 0.3 * FrameLayout.SampleRate);
            }
            if (reverb > 0 && rng.NextDouble() < reverb)
            {
                s = FftConvolver.Convolve(s, RoomSimulator.Random(rng).Response); // truncated to n
                reverberant++;
            }
            Scale(s, -20 - 10 * rng.NextDouble() - ActiveLevelDb(s));
            for (int i = 0; i < n; i++) x[i] += s[i];
        }
        return (x, reverberant);
    }

    private (float[] Noise, string What) MakeNoise(Random rng, int n)
    {
        double[] w = _o.NoiseTypeWeights;
        double u = rng.NextDouble() * w.Sum();
        int type = 0;
        while (type < w.Length - 1 && u >= w[type]) { u -= w[type]; type++; }
        if (type == 3 && _lib.Keys.Length == 0) type = 0;
        switch (type)
        {
            case 1:
            {
                // Stationary coloured noise: white through a random tilt (one-pole) and a random EQ.
                var x = new float[n];
                for (int i = 0; i < n; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
                double a = -0.95 + 1.9 * rng.NextDouble();
                double y1 = 0;
                for (int i = 0; i < n; i++) { y1 = x[i] + a * y1; x[i] = (float)y1; }
                Biquad.RandomEq(rng).Apply(x);
                return (x, $"coloured noise tilt {a:F2}");
            }
            case 2:
            {
                // Babble: 3-7 (BabbleTalkers) other talkers at random levels within 10 dB.
                int talkers = _o.BabbleTalkers[0] + rng.Next(_o.BabbleTalkers[1] - _o.BabbleTalkers[0] + 1);
                var (x, reverberant) = MakeTalkers(rng, n, talkers, _o.BabbleReverbProbability);
                return (x, reverberant > 0 ? $"babble {talkers} ({reverberant} distant)" : $"babble {talkers}");
            }
            case 3:
            {
                // Typing: key clicks at random times, 3-12 per second, with bursts and pauses.
                var x = new float[n];
                double rate = 3 + 9 * rng.NextDouble();
                double t = 0;
                while (true)
                {
                    t += -Math.Log(1 - rng.NextDouble()) / rate;
                    int at = (int)(t * FrameLayout.SampleRate);
                    if (at >= n) break;
                    var k = _lib.Load(_lib.Keys[rng.Next(_lib.Keys.Length)]);
                    float g = (float)Math.Pow(10, -rng.NextDouble() * 0.5);
                    for (int i = 0; i < k.Length && at + i < n; i++) x[at + i] += g * k[i];
                }
                return (x, $"typing {rate:F1}/s");
            }
            default:
            {
                var e = _o.NoiseDurationWeight is { } b ? _lib.PickNoise(rng, b) : _lib.Noise[rng.Next(_lib.Noise.Length)];
                var src = _lib.Load(e);
                var x = new float[n];
                int off = rng.Next(src.Length);
                if (_o.NoiseSpeedProbability > 0 && rng.NextDouble() < _o.NoiseSpeedProbability)
                {
                    // Enough of the (looped) recording for n samples after the speed change, plus the resampler's edges.
                    int rate = _o.NoiseSpeedRates[rng.Next(_o.NoiseSpeedRates.Length)];
                    var stretch = new float[(int)Math.Ceiling((double)n * FrameLayout.SampleRate / rate) + 256];
                    for (int i = 0; i < stretch.Length; i++) stretch[i] = src[(off + i) % src.Length];
                    var (played, _) = SpeedPerturb(stretch, FrameLayout.SampleRate / 2.0, rate);
                    played.AsSpan(0, Math.Min(n, played.Length)).CopyTo(x);
                    return (x, $"noise {e.Source}/{e.Group} speed {(double)FrameLayout.SampleRate / rate:F2}");
                }
                for (int i = 0; i < n; i++) x[i] = src[(off + i) % src.Length];
                return (x, $"noise {e.Source}/{e.Group}");
            }
        }
    }

    /// <summary>
    /// Multiplies <paramref name="x"/> by a slow random level envelope: in dB, the mean of three
    /// sinusoids (log-uniform 0.05-2 Hz, random phases) scaled to a random depth of 6-20 dB from
    /// trough to peak. Returns the depth.
    /// </summary>
    internal static double ApplySlowEnvelope(Random rng, Span<float> x)
    {
        double depth = 6 + 14 * rng.NextDouble();
        Span<double> w = stackalloc double[3], phase = stackalloc double[3];
        for (int k = 0; k < 3; k++)
        {
            w[k] = 2 * Math.PI * 0.05 * Math.Pow(40, rng.NextDouble()) / FrameLayout.SampleRate;
            phase[k] = 2 * Math.PI * rng.NextDouble();
        }
        for (int i = 0; i < x.Length; i++)
        {
            double e = (Math.Sin(w[0] * i + phase[0]) + Math.Sin(w[1] * i + phase[1]) + Math.Sin(w[2] * i + phase[2])) / 3;
            x[i] *= (float)Math.Pow(10, depth / 2 * e / 20);
        }
        return depth;
    }

    /// <summary>Level of the loudest 20% of 10 ms frames (active speech level), dBFS.</summary>
    public static double ActiveLevelDb(ReadOnlySpan<float> x)
    {
        int frames = x.Length / FrameLayout.FrameSize;
        if (frames == 0) return -200;
        var e = new double[frames];
        for (int f = 0; f < frames; f++)
        {
            double s = 0;
            foreach (float v in x.Slice(f * FrameLayout.FrameSize, FrameLayout.FrameSize)) s += v * v;
            e[f] = s / FrameLayout.FrameSize;
        }
        Array.Sort(e);
        int top = Math.Max(1, frames / 5);
        double sum = 0;
        for (int i = frames - top; i < frames; i++) sum += e[i];
        return 10 * Math.Log10(sum / top + 1e-20);
    }

    /// <summary>Mean power level, dBFS.</summary>
    public static double MeanLevelDb(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += v * v;
        return 10 * Math.Log10(s / Math.Max(1, x.Length) + 1e-20);
    }

    private static void Scale(Span<float> x, double db)
    {
        float g = (float)Math.Pow(10, db / 20);
        for (int i = 0; i < x.Length; i++) x[i] *= g;
    }
}
