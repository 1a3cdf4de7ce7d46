using System.Globalization;
using AiopsLab.Experiments;
using Spectre.Console;

namespace AiopsLab.Cli;

/// <summary>
/// Shows run progress: a live bar (cases done of total, cases resumed from the store, failed or timed-out runs, ETA) on
/// a terminal; otherwise a plain line to stderr at most every 10 seconds and at the end, so CI, Slurm and batch logs
/// stay readable. The ETA comes from the mean time per case run in this process (resumed cases do not count).
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
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
            .Start(c =>
            {
                var task = c.AddTask(title);
                result = work(new Relay<RunProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.CasesTotal);
                    task.Value = p.CasesDone;
                    task.Description = Line(title, p);
                }));
            });
        return result;
    }

    /// <summary><c>title: 120/500 cases (40 resumed), 3 failed, 12.0 s elapsed, ETA 38 s</c>.</summary>
    public static string Line(string title, RunProgress p)
    {
        var resumed = p.CasesResumed > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({p.CasesResumed} resumed)") : "";
        var eta = p.CasesDone < p.CasesTotal && p.Eta is { } e ? ", ETA " + Duration(e) : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"{title}: {p.CasesDone}/{p.CasesTotal} cases{resumed}, {p.Failures} failed, {Duration(p.Elapsed)} elapsed{eta}");
    }

    private static string Duration(TimeSpan t) => t.TotalSeconds < 60
        ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : t.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalMinutes} min {t.Seconds} s")
        : string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes} min");


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
            err.WriteLine(Line(title, p));
        }
    }
}
