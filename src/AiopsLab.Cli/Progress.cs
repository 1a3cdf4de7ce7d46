using System.Globalization;
using AiopsLab.Experiments;
using Spectre.Console;

namespace AiopsLab.Cli;

/// <summary>
/// Shows run progress: a live bar (cases done, failures, ETA) on a terminal; otherwise a plain line to stderr at most
/// every 10 seconds and at the end, so CI and batch logs stay readable.
/// </summary>
public static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/> with a progress sink suited to the output.</summary>
    public static T With<T>(CliContext ctx, string title, Func<IProgress<RunProgress>, T> work)
    {
        if (!ctx.Interactive) return work(new PlainProgress(ctx.Err, title));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(c =>
            {
                var task = c.AddTask(title);
                result = work(new Relay<RunProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.CasesTotal);
                    task.Value = p.CasesDone;
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{title}: {p.CasesDone}/{p.CasesTotal} cases, {p.Failures} failed");
                }));
            });
        return result;
    }

    /// <summary>Runs a download with a transfer bar on a terminal, or a plain line every 10 s otherwise.</summary>
    public static T Download<T>(CliContext ctx, string title, Func<IProgress<Datasets.DownloadProgress>, T> work)
    {
        if (!ctx.Interactive)
        {
            var last = DateTime.MinValue;
            return work(new Relay<Datasets.DownloadProgress>(p =>
            {
                var now = DateTime.UtcNow;
                bool done = p.Total is { } t && p.Bytes >= t;
                if (!done && now - last < TimeSpan.FromSeconds(10)) return;
                last = now;
                ctx.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{title}: {p.Bytes / 1e6:0.0} MB{(p.Total is { } tt ? $" of {tt / 1e6:0.0} MB" : "")}"));
            }));
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(c =>
            {
                var task = c.AddTask(title, maxValue: 1);
                task.IsIndeterminate = true;
                result = work(new Relay<Datasets.DownloadProgress>(p =>
                {
                    if (p.Total is { } t) { task.IsIndeterminate = false; task.MaxValue = Math.Max(1, t); }
                    task.Value = p.Bytes;
                }));
            });
        return result;
    }

    private sealed class Relay<TP>(Action<TP> a) : IProgress<TP>
    {
        public void Report(TP value) => a(value);
    }

    private sealed class PlainProgress(TextWriter err, string title) : IProgress<RunProgress>
    {
        private DateTime _last = DateTime.MinValue;

        public void Report(RunProgress p)
        {
            var now = DateTime.UtcNow;
            if (p.CasesDone < p.CasesTotal && now - _last < TimeSpan.FromSeconds(10)) return;
            _last = now;
            var eta = p.Eta is { } e ? $", ETA {e.TotalSeconds:0} s" : "";
            err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{title}: {p.CasesDone}/{p.CasesTotal} cases, {p.Failures} failed, {p.Elapsed.TotalSeconds:0.0} s elapsed{(p.CasesDone < p.CasesTotal ? eta : "")}"));
        }
    }
}
