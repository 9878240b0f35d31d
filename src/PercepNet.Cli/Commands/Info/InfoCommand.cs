using System.ComponentModel;
using PercepNet.Audio;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PercepNet.Cli.Commands.Info;

/// <summary>`percepnet info FILE...`: format, duration, peak and RMS level per channel.</summary>
public sealed class InfoCommand : Command<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILES>")]
        [Description("One or more WAV files.")]
        public string[] Files { get; init; } = [];
    }

    private readonly IAnsiConsole _console;

    public InfoCommand(IAnsiConsole console) => _console = console;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        int failures = 0;
        foreach (string file in settings.Files)
        {
            try
            {
                Describe(file);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                _console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                failures++;
            }
        }
        return failures == 0 ? Program.Success : Program.Failure;
    }

    /// <summary>Streams the file once (constant memory) and prints its format and levels.</summary>
    private void Describe(string file)
    {
        using var reader = new WavReader(file);
        int ch = reader.Channels;
        const int chunk = 65536;
        var buf = new float[ch][];
        for (int c = 0; c < ch; c++) buf[c] = new float[chunk];
        var peak = new double[ch];
        var sumSq = new double[ch];
        int n;
        while ((n = reader.Read(buf, 0, chunk)) > 0)
            for (int c = 0; c < ch; c++)
                for (int i = 0; i < n; i++)
                {
                    double v = buf[c][i];
                    sumSq[c] += v * v;
                    peak[c] = Math.Max(peak[c], Math.Abs(v));
                }
        _console.WriteLine($"{file}: {reader.Format}, {reader.FrameCount} frames, {reader.Duration.TotalSeconds:F3} s");
        var table = new Table().AddColumns("channel", "peak dBFS", "RMS dBFS");
        for (int c = 0; c < ch; c++)
            table.AddRow($"{c}", Db(peak[c]), Db(Math.Sqrt(sumSq[c] / Math.Max(1, reader.FrameCount))));
        _console.Write(table);
    }

    private static string Db(double amplitude) => amplitude > 0 ? $"{20 * Math.Log10(amplitude):F2}" : "-inf";
}
