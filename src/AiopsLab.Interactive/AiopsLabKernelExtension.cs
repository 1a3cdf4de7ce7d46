using AiopsLab.Data;
using AiopsLab.Methods;
using AiopsLab.Reporting;
using AiopsLab.Reporting.Figures;
using AiopsLab.Reporting.Notebook;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Formatting;

namespace AiopsLab.Interactive;

/// <summary>
/// Kernel extension loaded by .NET Interactive when a notebook references the AiopsLab package
/// (<c>#r "nuget: AiopsLab, VERSION"</c>): registers <c>text/html</c> and <c>text/plain</c> formatters that render
/// AiopsLab's own values with <see cref="RichView"/> (MetricFrame head, RcaResult ranking, ReportTable, PlotlyFigure,
/// DirectedGraph, HtmlContent). Other values keep the kernel's formatters.
/// </summary>
public sealed class AiopsLabKernelExtension : IKernelExtension
{
    /// <summary>The types formatted here.</summary>
    public static readonly Type[] Types = [typeof(MetricFrame), typeof(RcaResult), typeof(ReportTable), typeof(PlotlyFigure), typeof(DirectedGraph), typeof(HtmlContent)];

    /// <inheritdoc />
    public Task OnLoadAsync(Kernel kernel)
    {
        foreach (var type in Types)
        {
            Formatter.Register(type, (value, writer) => writer.Write(RichView.Html(value) ?? System.Net.WebUtility.HtmlEncode(RichView.Text(value))), HtmlFormatter.MimeType);
            Formatter.Register(type, (value, writer) => writer.Write(RichView.Text(value)), PlainTextFormatter.MimeType);
        }
        return Task.CompletedTask;
    }
}
