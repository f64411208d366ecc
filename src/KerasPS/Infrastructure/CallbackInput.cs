using KerasPS.Engine;
using KerasPS.Engine.Training.Callbacks;

namespace KerasPS.Infrastructure;

/// <summary>Callbacks as cmdlets receive them: the objects the New-* callback cmdlets make.</summary>
internal static class CallbackInput
{
    /// <summary>The cmdlets that make a callback, as an error message lists them.</summary>
    public const string Cmdlets = "New-EarlyStopping, New-ModelCheckpoint, New-ReduceLROnPlateau, New-LearningRateScheduler, "
        + "New-TerminateOnNaN, New-TensorBoardLogger or New-LambdaCallback";

    /// <summary>
    /// The callback <paramref name="value"/> holds; anything else is an <c>InvalidCallback</c> error whose message starts
    /// with <paramref name="rule"/> and lists the cmdlets that make callbacks.
    /// </summary>
    public static Callback ToCallback(object? value, string rule = "-Callbacks takes objects from") => PSValue.Unwrap(value) switch
    {
        Callback c => c,
        var other => throw KerasException.BadArgument("InvalidCallback", $"{rule} {Cmdlets}. Received: {other}.", other),
    };
}
