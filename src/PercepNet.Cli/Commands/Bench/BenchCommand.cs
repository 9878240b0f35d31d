using PercepNet.Features;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.Intrinsics.X86;
using System.Text;
using PercepNet.Audio;
using PercepNet.Nn;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PercepNet.Cli.Commands.Bench;

/// <summary>
/// `percepnet bench [FILE]`: microseconds per 10 ms frame and percent of one core of the network
/// alone and the whole denoiser, float and int8, for the shipped (or given) model and the small and
/// medium and paper presets, beside the comparison peers of ../shared/peers timed on the same audio in the
/// same run.
/// </summary>
public sealed class BenchCommand : Command<BenchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[FILE]")]
        [Description("WAV file to run on (any rate and channels; mixed to 48 kHz mono). Default: a synthetic voice in noise.")]
        public string? Input { get; init; }

        [CommandOption("-m|--model <FILE>")]
        [Description("Model file to time beside the presets. Default: the built-in model, if this build has one.")]
        public string? Model { get; init; }

        [CommandOption("--seconds <S>")]
        [Description("Seconds of audio per pass (the file is cut or repeated to this length).")]
        [DefaultValue(30.0)]
        public double Seconds { get; init; } = 30;

        [CommandOption("--passes <N>")]
        [Description("Timed passes per measurement (after one warm-up pass); the median is reported.")]
        [DefaultValue(5)]
        public int Passes { get; init; } = 5;

        [CommandOption("--no-peers")]
        [Description("Do not run the comparison peers.")]
        public bool NoPeers { get; init; }

        [CommandOption("--markdown <FILE>")]
        [Description("Also write the table as Markdown.")]
        public string? Markdown { get; init; }

        public override ValidationResult Validate()
        {
            if (!(Seconds >= 1 && Seconds <= 3600)) return ValidationResult.Error($"--seconds must be within 1..3600 (got {Seconds})");
            if (Passes < 1 || Passes > 100) return ValidationResult.Error($"--passes must be within 1..100 (got {Passes})");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public BenchCommand(IAnsiConsole console) => _console = console;

    /// <summary>A deterministic voice-like test signal: gliding harmonics in syllables, noise at about 5 dB SNR.</summary>
    public static float[] SyntheticSignal(int samples)
    {
        var x = new float[samples];
        var rng = new Random(7);
        double phase = 0, pink = 0;
        for (int n = 0; n < samples; n++)
        {
            double t = n / 48000.0;
            double f0 = 160 + 60 * Math.Sin(2 * Math.PI * 0.3 * t);
            phase += 2 * Math.PI * f0 / 48000;
            double voice = 0;
            for (int k = 1; k <= 30 && k * f0 < 20000; k++) voice += Math.Sin(k * phase) / k;
            double envelope = Math.Max(0, Math.Sin(2 * Math.PI * 2 * t));
            pink = 0.98 * pink + 0.02 * (rng.NextDouble() * 2 - 1);
            x[n] = (float)(0.1 * envelope * voice + 0.5 * pink + 0.005 * (rng.NextDouble() * 2 - 1));
        }
        return x;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        int samples = (int)(s.Seconds * Denoiser.SampleRate) / Denoiser.FrameSize * Denoiser.FrameSize;
        int frames = samples / Denoiser.FrameSize;
        float[] signal;
        string source;
        if (s.Input != null)
        {
            var mono = AudioFile.Read(s.Input).Resample(Denoiser.SampleRate).Mono();
            if (mono.Length < Denoiser.FrameSize) throw new InvalidDataException($"{s.Input}: shorter than one 10 ms frame");
            signal = new float[samples];
            for (int i = 0; i < samples; i++) signal[i] = mono[i % mono.Length];
            source = $"{s.Input} ({s.Seconds:0.#} s)";
        }
        else
        {
            signal = SyntheticSignal(samples);
            source = $"synthetic voice in noise ({s.Seconds:0.#} s)";
        }

        var systems = new List<(string Name, PercepNetModel Model)>();
        if (s.Model != null) systems.Add(($"model {Path.GetFileName(s.Model)}", PercepNetModel.Load(s.Model)));
        else if (PercepNetModel.HasDefault) systems.Add(("shipped (built-in)", PercepNetModel.Default));
        systems.Add(("small preset", PipelineBench.RandomModel(NetworkShape.Small, 1, "small")));
        systems.Add(("medium preset", PipelineBench.RandomModel(NetworkShape.Medium, 3, "medium")));
        systems.Add(("paper preset", PipelineBench.RandomModel(NetworkShape.Paper, 2, "paper")));

        _console.MarkupLineInterpolated($"PercepNet bench: {source}, {frames} frames, {s.Passes} timed passes per figure (median), one thread; {Environment.ProcessorCount} cores, {Cpu()}, AVX2 {(Avx2.IsSupported ? "on" : "off")}.");
        var features70 = PipelineBench.Features(signal);
        var rows = new List<BenchRow>();
        foreach (var (name, model) in systems)
        {
            foreach (bool int8 in new[] { false, true })
            {
                cancellationToken.ThrowIfCancellationRequested();
                int inputs = model.File.Shape.Features;
                var features = inputs == FeatureExtractor.Count ? features70 : PipelineBench.Features(signal, inputs);
                double net = PipelineBench.Network(model, int8, features, s.Passes);
                double all = PipelineBench.Pipeline(model, int8, signal, s.Passes);
                rows.Add(new BenchRow(name, int8 ? "int8" : "float", model.ParameterCount, net, all));
                _console.MarkupLineInterpolated($"  {name}, {(int8 ? "int8" : "float")}: network {net:F1} us, pipeline {all:F1} us per frame");
            }
        }

        var peers = new List<(PipelineBench.Peer Peer, double Microseconds)>();
        if (!s.NoPeers)
        {
            string home = PipelineBench.PeersHome();
            if (!Directory.Exists(home))
            {
                _console.MarkupLineInterpolated($"[yellow]peers not installed at {home} (run ../shared/peers/setup.sh); timing our models only[/]");
            }
            else
            {
                string wav = Path.Combine(Path.GetTempPath(), $"percepnet-bench-{Environment.ProcessId}.wav");
                try
                {
                    AudioFile.Write(wav, new AudioData(Denoiser.SampleRate, [signal]), 16);
                    foreach (var peer in PipelineBench.Peers(home))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var (us, error) = PipelineBench.RunPeer(peer, wav, frames, s.Passes);
                        if (us is { } v)
                        {
                            peers.Add((peer, v));
                            _console.MarkupLineInterpolated($"  {peer.Name}: {v:F1} us per frame");
                        }
                        else
                        {
                            _console.MarkupLineInterpolated($"[yellow]  skipped {error}[/]");
                        }
                    }
                }
                finally
                {
                    File.Delete(wav);
                }
            }
        }

        double? baseline = peers.Where(p => p.Peer.Name == "rnnoise-0.1").Select(p => (double?)p.Microseconds).FirstOrDefault();
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var h in Header) table.AddColumn(h);
        foreach (var line in Lines(rows, peers, baseline)) table.AddRow(line.Select(Markup.Escape).ToArray());
        _console.Write(table);
        _console.MarkupLine("% of a core = microseconds per frame / 10,000 us (one frame every 10 ms) x 100. Peers report their own processing loop (start-up and file I/O excluded); the RNNoise builds are WASM under Node.js.");
        if (s.Markdown != null)
        {
            var md = new StringBuilder();
            md.AppendLine(CultureInfo.InvariantCulture, $"Audio: {source}; {frames} frames; median of {s.Passes} passes; {Environment.ProcessorCount} cores, {Cpu()}, AVX2 {(Avx2.IsSupported ? "on" : "off")}.");
            md.AppendLine();
            md.AppendLine("| " + string.Join(" | ", Header) + " |");
            md.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", Header.Length)));
            foreach (var line in Lines(rows, peers, baseline)) md.AppendLine("| " + string.Join(" | ", line) + " |");
            string tmp = s.Markdown + ".tmp";
            File.WriteAllText(tmp, md.ToString());
            File.Move(tmp, s.Markdown, overwrite: true);
            _console.MarkupLineInterpolated($"wrote {s.Markdown}");
        }
        return Program.Success;
    }

    private static readonly string[] Header =
        ["system", "engine", "weights", "network us/frame", "network % core", "pipeline us/frame", "pipeline % core", "pipeline vs rnnoise-0.1"];

    private static IEnumerable<string[]> Lines(List<BenchRow> rows, List<(PipelineBench.Peer Peer, double Microseconds)> peers, double? baseline)
    {
        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        string P(double v) => BenchRow.PercentOfCore(v).ToString("F2", CultureInfo.InvariantCulture) + "%";
        string R(double v) => baseline is { } b ? (v / b).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";
        foreach (var r in rows)
            yield return [r.System, r.Engine, r.Weights.ToString("N0", CultureInfo.InvariantCulture), F(r.NetworkMicroseconds), P(r.NetworkMicroseconds), F(r.PipelineMicroseconds), P(r.PipelineMicroseconds), R(r.PipelineMicroseconds)];
        foreach (var (peer, us) in peers)
            yield return [peer.Name, peer.Engine, "-", "-", "-", F(us), P(us), R(us)];
    }

    private static string Cpu()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return "unknown CPU";
    }
}
