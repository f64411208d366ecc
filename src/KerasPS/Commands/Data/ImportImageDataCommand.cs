using System.Management.Automation;
using KerasPS.Engine;
using KerasPS.Engine.Data.Images;
using KerasPS.Infrastructure;

namespace KerasPS.Commands.Data;

/// <summary>
/// <para type="synopsis">Loads a folder of images, one subfolder per class, into a dataset, as Keras's image_dataset_from_directory.</para>
/// <para type="description">Each subfolder of -Path is a class (classes in alphanumeric order, or the order -ClassNames gives); its image
/// files, in it and below it, are that class's rows. Files are listed as Keras lists them (folders and names sorted), then shuffled with
/// NumPy's RandomState(seed).shuffle as Keras does, so the same -Seed gives Keras's file order and Keras's training/validation split:
/// -ValidationSplit 0.2 -Subset training keeps the first 80%, -Subset validation the last 20%, -Subset both writes both datasets.</para>
/// <para type="description">PNG, JPEG, BMP, GIF (first frame) and WebP files are decoded with SkiaSharp and resized to -ImageSize as
/// tf.image.resize does (bilinear with half-pixel centres and no antialiasing by default; nearest, bicubic or area with -Interpolation;
/// -CropToAspectRatio crops the centre first). The features are channels_last float32 in 0-255 (FeatureShape height,width,channels): put
/// Add-RescalingLayer -Scale (1/255) first in the model. Each row's key is its file path.</para>
/// <para type="description">-LabelMode int, categorical or binary keeps class labels (the loss decides how they are handed over:
/// sparse_categorical_crossentropy takes indices, categorical_crossentropy one-hot rows, binary_crossentropy 0/1); binary needs exactly
/// two classes; none loads the images without a target.</para>
/// <para type="description">A file that cannot be read or decoded is a non-terminating error (ImageDecodeFailed, ImageReadFailed) naming
/// the file, and the other images load. Errors: ImageFolderNotFound, NoImagesFound, UnknownClassName, BinaryNeedsTwoClasses,
/// InvalidImageSize, InvalidValidationSplit, SubsetNeedsValidationSplit, ValidationSplitNeedsSubset, ValidationSplitNeedsSeed,
/// ShuffleBufferNeedsStream.</para>
/// <example><code>$data = Import-ImageData ./photos -ImageSize 64,64 -Seed 1</code></example>
/// <example><code>$train, $val = Import-ImageData ./photos -ImageSize 64,64 -ValidationSplit 0.2 -Subset both -Seed 42</code></example>
/// <para type="description">-Stream keeps the images in their files: the dataset holds the file list and labels (the same files, order
/// and split as without -Stream), and Invoke-ModelFit, -Evaluate and -Predict decode each batch's files when the batch is due, on a
/// background thread while the previous batch trains, so memory holds a few batches whatever the folder's size (Keras's
/// image_dataset_from_directory always reads this way). The import decodes every file once to report damaged ones (by name, as
/// without -Stream, and left out) before a fit starts. Without -Stream, a folder whose decoded pixels exceed 1 GiB gets a warning
/// that suggests -Stream: an in-memory dataset also allows rows by index, Split-TrainTest and cross-validation, which a streamed one
/// refuses (StreamedDataset), so the choice stays with the caller.</para>
/// </summary>
/// <example><code>Import-ImageData ./digits -ColorMode grayscale -ImageSize 28,28 -LabelMode categorical -Seed 7</code></example>
/// <example><code>$train, $val = Import-ImageData ./photos -ImageSize 128,128 -ValidationSplit 0.2 -Subset both -Seed 42 -Stream
/// $model | Invoke-ModelFit -Data $train -ValidationData $val -Epochs 10 -BatchSize 64 -Seed 1</code></example>
/// <example><code>$photos = Import-ImageData ./photos -ImageSize 64,64 -Seed 3 -Stream -ShuffleBuffer 512</code></example>
[Cmdlet(VerbsData.Import, "ImageData")]
[OutputType(typeof(Dataset))]
public sealed class ImportImageDataCommand : KerasCmdlet
{
    /// <summary>The folder with one subfolder of images per class.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>int (class indices, the default), categorical, binary (two classes) or none (no target).</summary>
    [Parameter]
    [ValidateSet("int", "categorical", "binary", "none", IgnoreCase = true)]
    public string LabelMode { get; set; } = "int";

    /// <summary>The class subfolders to load, in label order (a subset of the subfolders); by default all, alphanumerically.</summary>
    [Parameter]
    public string[]? ClassNames { get; set; }

    /// <summary>Height and width every image is resized to (one number: square); default 256,256.</summary>
    [Parameter]
    [ValidateCount(1, 2)]
    public int[] ImageSize { get; set; } = { 256, 256 };

    /// <summary>How images are resampled: bilinear (default), nearest, bicubic or area, as tf.image.resize.</summary>
    [Parameter]
    [ValidateSet("bilinear", "nearest", "bicubic", "area", IgnoreCase = true)]
    public string Interpolation { get; set; } = "bilinear";

    /// <summary>Crop the largest centred box of the target's aspect ratio before resizing, so images are not distorted.</summary>
    [Parameter]
    public SwitchParameter CropToAspectRatio { get; set; }

    /// <summary>rgb (3 channels, the default), grayscale (1) or rgba (4).</summary>
    [Parameter]
    [ValidateSet("rgb", "grayscale", "rgba", IgnoreCase = true)]
    public string ColorMode { get; set; } = "rgb";

    /// <summary>The fraction of files kept for validation, in (0, 1); needs -Subset and -Seed.</summary>
    [Parameter]
    public double ValidationSplit { get; set; }

    /// <summary>With -ValidationSplit: training (the first files), validation (the last) or both (two datasets).</summary>
    [Parameter]
    [ValidateSet("training", "validation", "both", IgnoreCase = true)]
    public string? Subset { get; set; }

    /// <summary>Seed of the file shuffle (NumPy's RandomState, as Keras); by default one is drawn.</summary>
    [Parameter]
    [ValidateRange(0, uint.MaxValue)]
    public long? Seed { get; set; }

    /// <summary>Keep the files in alphanumeric order (by class, then path) instead of shuffling them.</summary>
    [Parameter]
    public SwitchParameter NoShuffle { get; set; }

    /// <summary>Keep the images in their files and decode them batch by batch in Invoke-ModelFit, -Evaluate and -Predict, so
    /// that memory does not grow with the folder; damaged files are found (decoding each once) and reported at import.</summary>
    [Parameter]
    public SwitchParameter Stream { get; set; }

    /// <summary>With -Stream: files the fit's shuffle buffer holds (tf.data's shuffle(buffer_size) over the file list). Default:
    /// every file, which shuffles as the in-memory fit with the same -Seed; the buffer holds file numbers, not pixels.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? ShuffleBuffer { get; set; }

    /// <summary>Decoded pixels above which an in-memory import suggests -Stream.</summary>
    private const long StreamHintBytes = 1L << 30;

    protected override void Process()
    {
        if (ShuffleBuffer is not null && !Stream)
            throw KerasException.BadArgument("ShuffleBufferNeedsStream",
                "-ShuffleBuffer sets the shuffle buffer of a streamed image folder; add -Stream (an in-memory fit shuffles every row).");
        if (Subset is not null && ValidationSplit == 0)
            throw KerasException.BadArgument("SubsetNeedsValidationSplit",
                "-Subset needs -ValidationSplit (a fraction in (0, 1)); give both or neither.");
        if (ValidationSplit != 0 && Subset is null)
            throw KerasException.BadArgument("ValidationSplitNeedsSubset",
                "-ValidationSplit needs -Subset training, validation or both.");
        if (ValidationSplit != 0 && !NoShuffle && Seed is null)
            throw KerasException.BadArgument("ValidationSplitNeedsSeed",
                "-ValidationSplit with shuffling needs -Seed, so that the training and validation subsets do not overlap.");
        var mode = Enum.Parse<ImageLabelMode>(LabelMode, true);
        var load = new ImageLoadOptions(ImageSize[0], ImageSize[^1], ImageLoadOptions.ChannelsOf(ColorMode),
            Enum.Parse<ImageInterpolation>(Interpolation, true), CropToAspectRatio).Validate();
        var folder = ResolveFilePath(Path);
        var files = ImageFolder.Index(folder, new ImageFolderOptions
        {
            LabelMode = mode,
            ClassNames = ClassNames,
            Shuffle = !NoShuffle,
            Seed = Seed,
            ValidationSplit = ValidationSplit,
        });
        WriteVerbose(files.ClassNames is null ? $"Found {files.Paths.Count} files."
            : $"Found {files.Paths.Count} files belonging to {files.ClassNames.Count} classes.");
        if (ValidationSplit == 0)
        {
            Emit(files, load, mode, folder);
            return;
        }
        var (training, validation) = files.Split(ValidationSplit);
        var subset = Subset!.ToLowerInvariant();
        if (subset is "training" or "both") Emit(training, load, mode, folder);
        if (subset is "validation" or "both") Emit(validation, load, mode, folder);
    }

    private void Emit(ImageFileList files, ImageLoadOptions load, ImageLabelMode mode, string folder)
    {
        if (files.Paths.Count == 0)
            throw KerasException.BadData("NoImagesFound", $"The split leaves no images in one subset of '{folder}'; "
                + "use a validation split that leaves files on both sides.", folder);
        if (Stream)
        {
            var (source, damaged) = ImageSource.Open(files, load, mode, folder, ShuffleBuffer);
            foreach (var f in damaged)
                WriteInputError(KerasException.BadData(f.ErrorId, f.Message, f.Path), f.Path);
            WriteVerbose($"Streaming {source.Count:N0} images of {KerasPS.Engine.Shapes.Format(load.Shape)} from '{folder}' "
                + $"(shuffle buffer {source.ShuffleBuffer:N0} files).");
            WriteObject(new Dataset(source));
            return;
        }
        long bytes = 4L * files.Paths.Count * load.PixelCount;
        if (bytes > StreamHintBytes)
            WriteWarning($"The {files.Paths.Count:N0} images take {bytes / (1 << 20):N0} MiB decoded, all held in memory. "
                + "Add -Stream to decode them batch by batch during the fit instead.");
        var (data, failures) = ImageFolder.Load(files, load, mode, folder);
        foreach (var f in failures)
            WriteInputError(KerasException.BadData(f.ErrorId, f.Message, f.Path), f.Path);
        WriteObject(new Dataset(data));
    }
}
