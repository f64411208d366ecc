namespace KerasPS.Engine.Layers;

/// <summary>Joins the non-empty parts of a summary's Details text.</summary>
internal static class DetailText
{
    public static string? Join(params string?[] parts)
    {
        var s = string.Join(", ", parts.Where(p => !string.IsNullOrEmpty(p)));
        return s.Length == 0 ? null : s;
    }
}
