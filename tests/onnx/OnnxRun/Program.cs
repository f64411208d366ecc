// Runs every <case>.onnx in a folder with ONNX Runtime on <case>.input.json ({"shape": [...], "data": [...]} for a graph
// with one input, or {"inputs": {"<name>": {"shape": [...], "data": [...]}, ...}} for several) and writes
// <case>.output.json: the graph's input and output names, the model's metadata, the first output's shape and values, and
// every output's as "results": [{"name", "shape", "data"}, ...] in the graph's order.
// A case that fails writes {"error": "..."} instead, so one bad file does not hide the others.
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

var folder = args[0];
foreach (var model in Directory.GetFiles(folder, "*.onnx").Order())
{
    var stem = Path.Combine(folder, Path.GetFileNameWithoutExtension(model));
    object result;
    try
    {
        using var input = JsonDocument.Parse(File.ReadAllText(stem + ".input.json"));
        using var options = new SessionOptions();   // ONNX Runtime's default graph optimizations, as a user gets them
        using var session = new InferenceSession(model, options);
        var feeds = input.RootElement.TryGetProperty("inputs", out var named)
            ? named.EnumerateObject().Select(p => Feed(p.Name, p.Value)).ToList()
            : new List<NamedOnnxValue> { Feed(session.InputMetadata.Keys.Single(), input.RootElement) };
        using var outputs = session.Run(feeds);
        var results = outputs.Select(o => (o.Name, Y: o.AsTensor<float>()))
            .Select(o => new { name = o.Name, shape = o.Y.Dimensions.ToArray(), data = o.Y.ToArray() }).ToArray();
        result = new
        {
            inputs = session.InputMetadata.Keys.ToArray(),
            outputs = session.OutputMetadata.Keys.ToArray(),
            metadata = session.ModelMetadata.CustomMetadataMap,
            producer = session.ModelMetadata.ProducerName,
            shape = results[0].shape,
            data = results[0].data,
            results,
        };
    }
    catch (Exception e)
    {
        result = new { error = e.GetType().Name + ": " + e.Message };
    }
    File.WriteAllText(stem + ".output.json", JsonSerializer.Serialize(result));
}

static NamedOnnxValue Feed(string name, JsonElement tensor)
{
    var shape = tensor.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
    var data = tensor.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
    return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(data, shape));
}
