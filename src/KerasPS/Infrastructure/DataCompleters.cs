using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;
using KerasPS.Engine;

namespace KerasPS.Infrastructure;

/// <summary>Completes column names from the header line of the file given as -Path (Import-ModelData).</summary>
public sealed class CsvColumnCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        var path = fakeBoundParameters["Path"] switch
        {
            string s => s,
            object[] { Length: > 0 } a => a[0]?.ToString(),
            PSObject p => p.BaseObject?.ToString(),
            var o => o?.ToString(),
        };
        if (string.IsNullOrEmpty(path)) return Array.Empty<CompletionResult>();
        try
        {
            using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            var full = ps.AddCommand("Resolve-Path").AddParameter("LiteralPath", path).Invoke()
                .FirstOrDefault()?.Properties["ProviderPath"]?.Value as string;
            if (full is null || !File.Exists(full)) return Array.Empty<CompletionResult>();
            string? line;
            using (var reader = new StreamReader(full, Encoding.UTF8, true)) line = reader.ReadLine();
            if (line is null) return Array.Empty<CompletionResult>();
            char sep = new[] { ',', ';', '\t', '|' }.OrderByDescending(c => line.Count(ch => ch == c)).First();
            return line.Split(sep).Select(h => h.Trim().Trim('"'))
                .Where(h => h.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Select(h => new CompletionResult(h.Contains(' ') ? $"'{h}'" : h, h, CompletionResultType.ParameterValue, h))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or RuntimeException)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}

/// <summary>Encoding names for -Encoding, and their parsing.</summary>
public sealed class EncodingCompleter : NameCompleter
{
    static EncodingCompleter() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static readonly string[] Known = { "utf8", "utf8BOM", "utf8NoBOM", "unicode", "bigendianunicode", "utf32", "ascii", "latin1" };
    protected override IEnumerable<string> Names => Known;

    /// <summary>An encoding from a PowerShell-style name, a code page name or number; null for the default (UTF-8, BOM honoured).</summary>
    public static Encoding? Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        switch (name.Trim().ToLowerInvariant())
        {
            case "utf8" or "utf-8" or "utf8bom" or "utf8nobom": return null;
            case "unicode" or "utf-16" or "utf16": return Encoding.Unicode;
            case "bigendianunicode": return Encoding.BigEndianUnicode;
            case "utf32" or "utf-32": return Encoding.UTF32;
            case "ascii": return Encoding.ASCII;
            case "latin1" or "iso-8859-1": return Encoding.Latin1;
        }
        try
        {
            return int.TryParse(name, out var cp) ? Encoding.GetEncoding(cp) : Encoding.GetEncoding(name);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw KerasException.BadArgument("UnknownEncoding",
                $"Unknown encoding '{name}'. Use utf8, unicode, bigendianunicode, utf32, ascii, latin1 or a code page such as 1252.", name);
        }
    }
}
