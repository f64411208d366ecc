// Runs every <case>.onnx in a folder with ONNX Runtime on <case>.input.json ({"shape": [...], "data": [...]}) and
// writes <case>.output.json: the graph's input and output names, the model's metadata, the output's shape and values.
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
        var shape = input.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var data = input.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        using var options = new SessionOptions();   // ONNX Runtime's default graph optimizations, as a user gets them
        using var session = new InferenceSession(model, options);
        var inputName = session.InputMetadata.Keys.Single();
        using var outputs = session.Run(new[] { NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(data, shape)) });
        var y = outputs.Single().AsTensor<float>();
        result = new
        {
            inputs = session.InputMetadata.Keys.ToArray(),
            outputs = session.OutputMetadata.Keys.ToArray(),
            metadata = session.ModelMetadata.CustomMetadataMap,
            producer = session.ModelMetadata.ProducerName,
            shape = y.Dimensions.ToArray(),
            data = y.ToArray(),
        };
    }
    catch (Exception e)
    {
        result = new { error = e.GetType().Name + ": " + e.Message };
    }
    File.WriteAllText(stem + ".output.json", JsonSerializer.Serialize(result));
}
