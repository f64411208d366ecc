using System.Globalization;
using System.Text;

namespace KerasPS.Engine;

/// <summary>
/// The module's one converter between Keras's snake_case names and PowerShell's PascalCase ones.
/// Two snake rules, on purpose: metric property names split before every capital, so that <see cref="ToSnake"/>
/// undoes <see cref="ToPascal"/>; class names follow Keras's own <c>to_snake_case</c>, which keeps an acronym and a
/// trailing digit-letter pair together (<c>SimpleRNN</c> to <c>simple_rnn</c>, <c>Conv1D</c> to <c>conv1d</c>).
/// </summary>
public static class KerasNames
{
    /// <summary>Keras name to property name: val_top_k_categorical_accuracy to ValTopKCategoricalAccuracy.</summary>
    public static string ToPascal(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => char.ToUpper(p[0], CultureInfo.InvariantCulture) + p[1..]));

    /// <summary>Property name back to Keras's name: ValTopKCategoricalAccuracy to val_top_k_categorical_accuracy.</summary>
    public static string ToSnake(string pascal)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < pascal.Length; i++)
        {
            char ch = pascal[i];
            if (char.IsUpper(ch) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }

    /// <summary>
    /// A history value's Keras name from either spelling a user may type: val_loss or ValLoss to val_loss,
    /// TopKCategoricalAccuracy to top_k_categorical_accuracy, AUC to auc. Records carry the PascalCase property
    /// (<see cref="ToPascal"/>); every parameter that names a metric accepts both.
    /// </summary>
    public static string ToHistoryName(string name)
    {
        var n = name.Trim();
        if (!n.Any(char.IsLower)) return n.ToLowerInvariant();
        return ToSnake(ToPascal(n));
    }

    /// <summary>A layer class's default name as Keras makes it: BatchNormalization to batch_normalization, PReLU to p_re_lu.</summary>
    public static string ClassToSnake(string className)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < className.Length; i++)
        {
            char c = className[i];
            bool wordStart = char.IsUpper(c) && i > 0 && !char.IsDigit(className[i - 1])
                && (char.IsLower(className[i - 1]) || (i + 1 < className.Length && char.IsLower(className[i + 1])));
            if (wordStart) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
