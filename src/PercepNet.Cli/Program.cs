using Spectre.Console.Cli;

namespace PercepNet.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var app = new CommandApp();
        app.Configure(Configure);
        return app.Run(args);
    }

    /// <summary>Registers every verb; shared with the tests so they run the same command tree.</summary>
    public static void Configure(IConfigurator config)
    {
        config.SetApplicationName("percepnet");
        config.PropagateExceptions();
        config.AddCommand<Commands.Eval.EvalCommand>("eval").WithDescription("Score enhanced speech against clean references: PESQ, STOI, ESTOI, SI-SDR, DNSMOS.").WithExample("eval", "--clean", "clean/", "--enhanced", "enhanced/", "--noisy", "noisy/", "--csv", "scores.csv");
    }
}
