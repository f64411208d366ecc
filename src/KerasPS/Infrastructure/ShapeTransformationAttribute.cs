using System.Globalization;
using System.Management.Automation;

namespace KerasPS.Infrastructure;

/// <summary>
/// Lets a shape parameter take what a dataset shows for its shape: the text of <c>$train.Shape</c> ("(None, 28, 28, 1)", the
/// leading None being the batch axis) or the dataset itself (its FeatureShape). Anything else passes through unchanged, so
/// PowerShell's own conversion to int[] (93, or 28,28,1) applies as before.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ShapeTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        switch (PSValue.Unwrap(inputData))
        {
            case Dataset d:
                return d.FeatureShape;
            case string s when s.TrimStart().StartsWith('('):
                var parts = s.Trim().TrimStart('(').TrimEnd(')')
                    .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
                if (parts.Count > 0 && parts[0].Equals("None", StringComparison.OrdinalIgnoreCase)) parts.RemoveAt(0);
                var dims = new int[parts.Count];
                for (int i = 0; i < parts.Count; i++)
                    if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i])) return inputData;
                return dims.Length > 0 ? dims : inputData;
            default:
                return inputData;
        }
    }
}
