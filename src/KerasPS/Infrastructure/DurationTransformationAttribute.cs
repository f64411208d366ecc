using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace KerasPS.Infrastructure;

/// <summary>
/// Reads a duration as a user means it: a number is seconds (<c>-MaxDuration 60</c> is a minute, <c>0.5</c> half a
/// second), a string is a number with a unit (<c>90s</c>, <c>5m</c>, <c>2h</c>, <c>500ms</c>) or a TimeSpan
/// (<c>00:05:00</c>), and a TimeSpan is taken as it is. Without it PowerShell turns an integer into a TimeSpan of that many
/// ticks (100 ns each): <c>-MaxDuration 60</c> would be 6 microseconds, a silent no-op.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed partial class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) => ToDuration(inputData);

    internal static object? ToDuration(object? inputData) => PSValue.Unwrap(inputData) switch
    {
        null => null,
        TimeSpan t => t,
        string s => Parse(s),
        var n when n is byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal =>
            Seconds(Convert.ToDouble(n, CultureInfo.InvariantCulture), n),
        var other => throw Refuse(other),
    };

    private static TimeSpan Seconds(double seconds, object original) =>
        double.IsFinite(seconds) && Math.Abs(seconds) <= TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : throw Refuse(original);

    private static TimeSpan Parse(string text)
    {
        var s = text.Trim();
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain)) return Seconds(plain, text);
        var m = WithUnit().Match(s);
        if (m.Success)
        {
            var value = double.Parse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            var factor = m.Groups["unit"].Value.ToLowerInvariant() switch
            {
                "ms" => 0.001,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                _ => 86400.0,
            };
            return Seconds(value * factor, text);
        }
        return TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var span) ? span : throw Refuse(text);
    }

    private static ArgumentTransformationMetadataException Refuse(object value) => new(
        $"A duration is a number of seconds (60, 0.5), a number with a unit (90s, 5m, 2h, 500ms) or a TimeSpan (00:05:00). "
        + $"Received: {value}.");

    [GeneratedRegex(@"^(?<value>[0-9]*\.?[0-9]+)\s*(?<unit>ms|s|m|h|d)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WithUnit();
}
