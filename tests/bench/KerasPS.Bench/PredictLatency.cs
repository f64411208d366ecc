using System.Diagnostics;
using System.Reflection;

namespace KerasPS.Bench;

/// <summary>
/// Times a KerasPS engine call in a compiled loop, so that PowerShell's own per-call cost (method dispatch,
/// pipeline) is left out. The engine lives in the module's private load context: it is reached by reflection
/// (a few tens of nanoseconds per call), never by its types.
/// </summary>
public static class PredictLatency
{
    /// <summary>Median microseconds of <c>model.Predict(features, batchSize)</c> over <paramref name="calls"/> calls, after a warm-up.</summary>
    public static double MedianMicroseconds(object model, object features, int calls, int warmup = 500)
    {
        var predict = model.GetType().GetMethod("Predict", BindingFlags.Public | BindingFlags.Instance, new[] { features.GetType(), typeof(int) })
            ?? throw new ArgumentException($"{model.GetType().FullName} has no Predict({features.GetType().Name}, int).");
        var args = new object[] { features, 4096 };
        for (int i = 0; i < warmup; i++) predict.Invoke(model, args);
        var times = new double[calls];
        var sw = new Stopwatch();
        for (int i = 0; i < calls; i++)
        {
            sw.Restart();
            predict.Invoke(model, args);
            times[i] = sw.Elapsed.TotalMicroseconds;
        }
        Array.Sort(times);
        return times[calls / 2];
    }
}
