using System.ComponentModel;
using PercepNet.Audio;
using PercepNet.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace PercepNet.Cli.Commands.Info;

/// <summary>`percepnet info FILE...`: format, duration, peak and RMS level per channel.</summary>
public sealed class InfoCommand : Command<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILES>")]
        [Description("One or more WAV files; - reads one WAV from standard input (a pipe).")]
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
                // "-": the WAV on standard input, read front to back like any pipe.
                Describe(file == Program.StdioToken && !OperatingSystem.IsWindows() ? "/dev/stdin" : file);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                _console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
                failures++;
            }
        }
        return failures == 0 ? Program.Success : Program.Failure;
    }

    /// <summary>Streams the file once (constant memory, progress bar on long files) and prints its format and levels.</summary>
    private void Describe(string file)
    {
        var info = ProgressReporter.Run(_console, $"reading {Path.GetFileName(file)}", progress => AudioInfo.Read(file, progress));
        _console.WriteLine($"{file}: {info.Format}, {info.Frames} frames, {info.Duration.TotalSeconds:F3} s");
        var table = new Table().AddColumns("channel", "peak dBFS", "RMS dBFS");
        for (int c = 0; c < info.Channels; c++)
            table.AddRow($"{c}", Db(info.PeakDbfs[c]), Db(info.RmsDbfs[c]));
        _console.Write(table);
        if (info.NonFiniteSamples > 0)
            _console.MarkupLineInterpolated($"[yellow]warning:[/] {info.NonFiniteSamples} NaN or infinite samples (left out of the levels)");
    }

    private static string Db(double db) => double.IsNegativeInfinity(db) ? "-inf" : $"{db:F2}";
}
