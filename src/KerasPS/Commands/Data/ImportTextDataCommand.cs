using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Data;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Data;

/// <summary>
/// <para type="synopsis">Imports a folder of text files, one subfolder per class, as a dataset of raw texts (Keras's
/// text_dataset_from_directory).</para>
/// <para type="description">Every .txt file under a class subfolder (recursively) is one row: its text in the text column (-Column, default
/// text), its class the subfolder's name, its relative path the row key. Classes are the subfolders sorted by name, or -ClassNames in that
/// order. Files are shuffled as Keras shuffles them (NumPy's RandomState with -Seed), and with -ValidationSplit the last share of them is
/// the validation subset: -Subset training or validation picks one, both writes the training then the validation dataset. A file that is
/// not valid UTF-8 is a non-terminating InvalidTextFile error naming it, and the other files load. Start the model with
/// Add-TextVectorizationLayer to train on the texts.</para>
/// </summary>
/// <example><code>$train = Import-TextData ./tickets -ValidationSplit 0.2 -Subset training -Seed 1337
/// $test = Import-TextData ./tickets -ValidationSplit 0.2 -Subset validation -Seed 1337</code></example>
/// <example><code>$train, $val = Import-TextData ./reviews -ValidationSplit 0.2 -Subset both -Seed 42 -ClassNames neg, pos
/// $model = New-Model | Add-TextVectorizationLayer -Adapt $train -MaxTokens 10000 -OutputMode multi_hot |
///     Add-DenseLayer 1 -Activation sigmoid</code></example>
[Cmdlet(VerbsData.Import, "TextData")]
[OutputType(typeof(Dataset))]
public sealed class ImportTextDataCommand : KerasCmdlet
{
    /// <summary>The folder with one subfolder of .txt files per class.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    public string Path { get; set; } = null!;

    /// <summary>int (default), categorical or binary (two classes): the classes of the subfolders; none: texts only, without a
    /// target. KerasPS keeps class names either way and the loss decides how a class is read.</summary>
    [Parameter]
    [ValidateSet("int", "categorical", "binary", "none")]
    public string LabelMode { get; set; } = "int";

    /// <summary>The class subfolders to read, in label order; by default all of them, sorted by name.</summary>
    [Parameter]
    public string[]? ClassNames { get; set; }

    /// <summary>The share of the files (after shuffling) kept for validation, as Keras's validation_split: the last
    /// int(share * files).</summary>
    [Parameter]
    [ValidateRange(0.0, 0.99)]
    public double ValidationSplit { get; set; }

    /// <summary>With -ValidationSplit: training, validation, or both (the training dataset, then the validation one).</summary>
    [Parameter]
    [ValidateSet("training", "validation", "both")]
    public string? Subset { get; set; }

    /// <summary>The shuffling seed (NumPy's RandomState seed, as Keras uses it); needed with -ValidationSplit.</summary>
    [Parameter]
    [ValidateRange(0, uint.MaxValue)]
    public long? Seed { get; set; }

    /// <summary>Keep the files in folder and name order instead of shuffling them.</summary>
    [Parameter]
    public SwitchParameter NoShuffle { get; set; }

    /// <summary>Cut texts longer than this many characters (Keras's max_length).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxLength { get; set; }

    /// <summary>The name of the dataset's text column (default text).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Column { get; set; } = "text";

    protected override void Process()
    {
        var folder = ResolveFilePath(Path);
        var subsets = Subset == "both" ? new[] { "training", "validation" } : new[] { Subset };
        foreach (var subset in subsets)
        {
            var (data, failed) = TextFolder.Load(folder, new TextFolderOptions
            {
                LabelMode = LabelMode,
                ClassNames = ClassNames,
                ValidationSplit = ValidationSplit,
                Subset = subset,
                Shuffle = !NoShuffle,
                Seed = Seed,
                MaxLength = MaxLength == 0 ? null : MaxLength,
                Column = Column,
            });
            foreach (var (file, reason) in failed)
                WriteInputError(KerasException.BadData("InvalidTextFile", $"'{file}' was left out: {reason}.", file), file);
            WriteVerbose($"Loaded {data.Count:N0} texts of {data.Classes?.Count ?? 0} classes from '{folder}'"
                + (subset is null ? "." : $" ({subset})."));
            WriteObject(new Dataset(data));
        }
    }
}
