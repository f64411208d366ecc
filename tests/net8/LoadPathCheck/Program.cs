using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using KerasPS.Engine;
using KerasPS.Engine.Checkpoints;
using KerasPS.Engine.Data;
using KerasPS.Engine.Layers;
using KerasPS.Engine.Layers.Core;
using KerasPS.Engine.Models;
using KerasPS.Engine.Native;
using KerasPS.Engine.Plotting;
using KerasPS.Engine.Training;
using KerasPS.Engine.Training.Optimizers;

// Usage: LoadPathCheck <module bin folder> <work folder> private|shared
//   private: the module's own layout: KerasPS.LoadContext.dll installs the KerasPS load context (as its
//            IModuleAssemblyInitializer does in PowerShell), and the engine resolves through it.
//   shared:  everything in PowerShell's shared (default) context, as the module was before it had its own context;
//            on .NET 8 the runtime's System.Collections.Immutable 8 then shadows the 9 that Microsoft.ML.DataView needs.
// Prints one line per step: STEP name OK | STEP name FAILED <exception>. Exit code 0 only when every step passed.
var bin = Path.GetFullPath(args[0]);
var work = Path.GetFullPath(args[1]);
var mode = args[2];
Console.WriteLine($"RUNTIME {Environment.Version} {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
// PowerShell itself has the runtime's System.Collections.Immutable loaded before any module is imported.
Console.WriteLine($"HOST_IMMUTABLE {typeof(System.Collections.Immutable.ImmutableArray).Assembly.GetName().Version}");
if (mode == "private")
{
    var loader = Assembly.LoadFrom(Path.Combine(bin, "KerasPS.LoadContext.dll"));
    loader.GetType("KerasPS.LoadContext.EngineLoadContext", throwOnError: true)!.GetMethod("Register")!.Invoke(null, null);
}
else
{
    var deps = Path.Combine(bin, "dependencies");
    AssemblyLoadContext.Default.Resolving += (context, name) =>
    {
        var path = Path.Combine(deps, name.Name + ".dll");
        return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    };
    var natives = Path.Combine(deps, "runtimes", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "native");
    AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, name) =>
    {
        var path = Path.Combine(natives, name.StartsWith("lib") ? name + ".so" : "lib" + name + ".so");
        return File.Exists(path) ? System.Runtime.InteropServices.NativeLibrary.Load(path) : IntPtr.Zero;
    };
}
Directory.CreateDirectory(work);
int failed = Checks.Run(bin, work);
return failed == 0 ? 0 : 1;

static class Checks
{
    // Separate, not inlined: compiling these methods needs the engine, which resolves only after the hook above.
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Run(string bin, string work)
    {
        int failed = 0;
        void Step(string name, Action action)
        {
            try { action(); Console.WriteLine($"STEP {name} OK"); }
            catch (Exception e) { failed++; Console.WriteLine($"STEP {name} FAILED {e.GetType().Name}: {e.Message.Split('\n')[0]}"); }
        }
        Step("context", () =>
        {
            var context = AssemblyLoadContext.GetLoadContext(typeof(KerasModel).Assembly)!.Name;
            Console.WriteLine($"ENGINE_CONTEXT {context}");
        });
        RuntimeLocations.ModuleDirectory = bin;
        var csv = Path.Combine(work, "data.csv");
        EncodedData? data = null;
        Step("csv", () =>
        {
            var rows = new List<string> { "a,b,c,label" };
            var rng = new Random(3);
            for (int i = 0; i < 120; i++)
            {
                double a = rng.NextDouble(), b = rng.NextDouble(), c = rng.NextDouble();
                rows.Add(FormattableString.Invariant($"{a:F4},{b:F4},{c:F4},{(a + b > 1 ? "high" : "low")}"));
            }
            File.WriteAllLines(csv, rows);
            data = CsvLoader.Load(csv, new CsvLoadOptions { Target = "label" });
            if (data.Count != 120 || data.Classes!.Count != 2) throw new InvalidOperationException($"read {data.Count} rows, {data.Classes?.Count} classes");
        });
        KerasModel? model = null;
        var history = new List<EpochRecord>();
        Step("fit", () =>
        {
            model = new KerasModel("net8", new[] { 3 }, seed: 1);
            model.Add(new Dense(8, new KernelOptions { Activation = "relu" }));
            model.Add(new Dense(2, new KernelOptions { Activation = "softmax" }));
            model.Compile(new Adam(learningRate: 0.05), KerasObjects.Losses.Create("categorical_crossentropy"), new[] { "accuracy" });
            history.AddRange(Trainer.Fit(model, data!, new FitOptions { Epochs = 30, BatchSize = 16, Seed = 1 }));
            if (!(history[^1].Loss < history[0].Loss)) throw new InvalidOperationException($"loss did not fall: {history[0].Loss} -> {history[^1].Loss}");
        });
        Step("checkpoint", () =>
        {
            var path = Path.Combine(work, "model.kpt");
            Checkpoint.Save(model!, path, new CheckpointSaveOptions { IncludeOptimizer = true, Overwrite = true });
            var back = Checkpoint.Load(path);
            var p1 = model!.PredictData(data!);
            var p2 = back.PredictData(data!);
            if (!p1.SequenceEqual(p2)) throw new InvalidOperationException("the reloaded model predicts differently");
        });
        Step("dataframe", () =>
        {
            var frame = DataFrameConverter.ToFrame(data!);
            var back = DataFrameConverter.FromFrame(frame, "label", null, null, new TabularOptions());
            if (back.Count != data!.Count || !back.Features.AsSpan().SequenceEqual(data.Features.AsSpan()))
                throw new InvalidOperationException("the DataFrame round trip changed the data");
            // What PowerShell's formatting and ML.NET consumers read: the frame as an IDataView, with its schema.
            var view = frame.GetType().GetInterfaces().Single(i => i.Name == "IDataView");
            var schema = view.GetProperty("Schema")!.GetValue(frame)!;
            var columns = (int)schema.GetType().GetProperty("Count")!.GetValue(schema)!;
            if (columns != 4) throw new InvalidOperationException($"the DataFrame's schema has {columns} columns");
            _ = frame.ToString();   // what PowerShell shows at the prompt
            // A vector column type, as ML.NET code that consumes a DataFrame builds them (the type that needs
            // System.Collections.Immutable 9, which .NET 8's own 8.0 shadows in a shared context).
            var dataView = view.Assembly;
            var single = dataView.GetType("Microsoft.ML.Data.NumberDataViewType", true)!.GetProperty("Single")!.GetValue(null)!;
            var vectorType = dataView.GetType("Microsoft.ML.Data.VectorDataViewType", true)!;
            var vector = Activator.CreateInstance(vectorType, single, new[] { 3 })!;
            if ((int)vectorType.GetProperty("Size")!.GetValue(vector)! != 3) throw new InvalidOperationException("wrong vector size");
        });
        Step("png", () =>
        {
            var series = new ChartSeries("loss", history.Select(r => ((double)r.Epoch, r.Loss)).ToList());
            var png = PngCanvas.Render(new LineChart(new[] { series }, "net8"), out _);
            if (png.Length < 100 || png[1] != (byte)'P' || png[2] != (byte)'N' || png[3] != (byte)'G') throw new InvalidOperationException("not a PNG");
            File.WriteAllBytes(Path.Combine(work, "loss.png"), png);
        });
        return failed;
    }
}
