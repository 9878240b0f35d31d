using System.Diagnostics;
using System.Globalization;

namespace PercepNet.Training.Training;

/// <summary>
/// Training progress: on a terminal one line rewritten about once a second; otherwise a plain line
/// every <c>intervalSeconds</c>. Shows step, epoch, smoothed loss, learning rate, frames/s and ETA.
/// </summary>
internal sealed class ProgressPrinter(TextWriter log, bool interactive, double intervalSeconds)
{
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private double _lossSum;
    private int _lossCount;
    private bool _lineOpen;

    public void Add(double loss)
    {
        _lossSum += loss;
        _lossCount++;
    }

    public void Report(long step, long totalSteps, int epoch, int epochs, double lr, double framesPerSecond, bool force = false)
    {
        double interval = interactive ? 1 : intervalSeconds;
        if (!force && _sinceLine.Elapsed.TotalSeconds < interval) return;
        double loss = _lossCount > 0 ? _lossSum / _lossCount : double.NaN;
        string eta = "?";
        if (framesPerSecond > 0 && StepFrames > 0)
        {
            var t = TimeSpan.FromSeconds((totalSteps - step) * StepFrames / framesPerSecond);
            eta = t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:D2}m" : $"{t.Minutes}m{t.Seconds:D2}s";
        }
        string line = string.Create(CultureInfo.InvariantCulture,
            $"step {step}/{totalSteps} epoch {epoch + 1}/{epochs} loss {(double.IsNaN(loss) ? "-" : loss.ToString("F4", CultureInfo.InvariantCulture))} lr {lr:E2} {framesPerSecond:F0} frames/s ETA {eta}");
        if (interactive)
        {
            log.Write("\r" + line.PadRight(100));
            _lineOpen = true;
        }
        else
        {
            log.WriteLine(line);
        }
        log.Flush();
        _lossSum = 0;
        _lossCount = 0;
        _sinceLine.Restart();
    }

    /// <summary>Frames per optimizer step, for the ETA.</summary>
    public long StepFrames { get; set; }

    /// <summary>Writes a full line (ending the rewritten progress line first).</summary>
    public void Line(string text)
    {
        if (_lineOpen)
        {
            log.WriteLine();
            _lineOpen = false;
        }
        log.WriteLine(text);
        log.Flush();
    }
}
