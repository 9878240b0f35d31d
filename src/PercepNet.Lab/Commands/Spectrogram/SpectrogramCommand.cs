using System.ComponentModel;
using PercepNet.Audio;
using PercepNet.Dsp;
using Spectre.Console;
using Spectre.Console.Cli;
using PercepNet.Cli;
using PercepNet.Cli.Infrastructure;

namespace PercepNet.Lab.Commands.Spectrogram;

/// <summary>`percepnet-lab spectrogram IN OUT.png`: a picture of what a file contains (or what denoising did).</summary>
public sealed class SpectrogramCommand : Command<SpectrogramCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IN>")]
        [Description("WAV file (channels are mixed to mono).")]
        public string Input { get; init; } = "";

        [CommandArgument(1, "<OUT>")]
        [Description("PNG file to write.")]
        public string Output { get; init; } = "";

        [CommandOption("--range <DB>")]
        [Description("Dynamic range shown, in dB below the loudest bin.")]
        [DefaultValue(90.0)]
        public double Range { get; init; } = 90;

        [CommandOption("--title <TEXT>")]
        [Description("Plot title (default: the file name).")]
        public string? Title { get; init; }

        [CommandOption("--width <PX>")]
        [DefaultValue(1600)]
        public int Width { get; init; } = 1600;

        [CommandOption("--height <PX>")]
        [DefaultValue(700)]
        public int Height { get; init; } = 700;

        public override ValidationResult Validate()
        {
            if (!Output.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) return ValidationResult.Error($"{Output}: the output must be a .png file");
            if (Range is <= 0 or > 200) return ValidationResult.Error("--range must be in (0, 200] dB");
            if (Width < 200 || Height < 150) return ValidationResult.Error("--width >= 200 and --height >= 150");
            if (Path.GetFullPath(Input) == Path.GetFullPath(Output) || FileIdentity.Same(Input, Output)) return ValidationResult.Error($"{Output}: the output must not overwrite the input");
            return ValidationResult.Success();
        }
    }

    private readonly IAnsiConsole _console;

    public SpectrogramCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var audio = AudioFile.Read(s.Input);
        float[] x = Resampler.Resample(audio.Mono(), audio.SampleRate, FrameLayout.SampleRate);
        // The system's own analysis: 960-point Vorbis-windowed frames every 10 ms, 50 Hz bins.
        int frames = Math.Max(1, x.Length / FrameLayout.FrameSize - 1);
        int topBin = Math.Min(FrameLayout.BinCount - 1, (int)(audio.SampleRate / 2 / FrameLayout.BinHz));
        var db = new double[topBin + 1, frames];
        var stft = new Stft();
        var spec = new float[Stft.SpectrumLength];
        var window = new float[FrameLayout.WindowSize];
        double max = -300;
        for (int f = 0; f < frames; f++)
        {
            Array.Clear(window);
            int start = f * FrameLayout.FrameSize;
            x.AsSpan(start, Math.Min(FrameLayout.WindowSize, x.Length - start)).CopyTo(window);
            stft.Analyze(window, spec);
            for (int k = 0; k <= topBin; k++)
            {
                double p = spec[2 * k] * (double)spec[2 * k] + spec[2 * k + 1] * (double)spec[2 * k + 1];
                double v = 10 * Math.Log10(p + 1e-20);
                db[topBin - k, f] = v; // row 0 at the top: highest frequency
                max = Math.Max(max, v);
            }
        }
        for (int k = 0; k <= topBin; k++)
            for (int f = 0; f < frames; f++)
                db[k, f] = Math.Max(db[k, f], max - s.Range);

        var plot = new ScottPlot.Plot();
        var hm = plot.Add.Heatmap(db);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        double seconds = (double)frames * FrameLayout.FrameSize / FrameLayout.SampleRate;
        hm.Extent = new ScottPlot.CoordinateRect(0, seconds, 0, (topBin + 1) * FrameLayout.BinHz / 1000.0);
        plot.Add.ColorBar(hm).Label = "dB";
        plot.Title(s.Title ?? Path.GetFileName(s.Input));
        plot.XLabel("time (s)");
        plot.YLabel("frequency (kHz)");
        plot.Axes.SetLimits(0, seconds, 0, (topBin + 1) * FrameLayout.BinHz / 1000.0);
        string tmp = s.Output + ".tmp.png";
        plot.SavePng(tmp, s.Width, s.Height);
        File.Move(tmp, s.Output, overwrite: true);
        _console.MarkupLineInterpolated($"{s.Output}: {seconds:F1} s, 0-{(topBin + 1) * FrameLayout.BinHz / 1000.0:F1} kHz, {s.Range:F0} dB range");
        return Program.Success;
    }
}
