using Spectre.Console;

namespace PercepNet.Cli.Infrastructure;

/// <summary>Runs work with a progress bar when the console is an interactive terminal, quietly otherwise.</summary>
public static class ProgressReporter
{
    /// <summary>Runs <paramref name="work"/>, which reports fractions in [0, 1] through its argument.</summary>
    public static T Run<T>(IAnsiConsole console, string description, Func<Action<double>, T> work)
    {
        bool interactive = console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        if (!interactive) return work(_ => { });
        T result = default!;
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(description), maxValue: 1.0);
                result = work(f => task.Value = Math.Clamp(f, 0, 1));
                task.Value = 1.0;
            });
        return result;
    }
}
