"""Keras's own inputs and predictions for the real Keras 2 files KerasFiles.Tests.ps1 imports, as JSON.

Reads each `<name>_inputs_and_outputs.h5` (written by dl4j-test-resources' generator beside the model: the inputs
Keras was given and the predictions it made) and writes the first 8 rows of both, 9 significant digits, to
references.json. Usage (from this folder, Debian's python3 with h5py): python3 make-references.py
"""
import json

import h5py
import numpy as np

FILES = {
    "LeakyReLU_0_model.h5": "LeakyReLU_0_inputs_and_outputs.h5",
    "simple_flatten_lstm_tf_keras_2_model.h5": "../simple_flatten_lstm_tf_keras_2_inputs_and_outputs.h5",
}
result = {}
for model, io_path in FILES.items():
    io = h5py.File(io_path, "r")
    outs = io["predictions"] if "predictions" in io else io["outputs"]
    x = [io["inputs"][k][()][:8] for k in io["inputs"]]
    y = [outs[k][()][:8] for k in outs]
    result[model] = {
        "inputs": [{"shape": list(a.shape), "values": [float(f"{v:.9g}") for v in np.asarray(a, np.float64).reshape(-1)]}
                   for a in x],
        "outputs": [{"shape": list(a.shape), "values": [float(f"{v:.9g}") for v in np.asarray(a, np.float64).reshape(-1)]}
                    for a in y],
    }
with open("references.json", "w") as f:
    json.dump(result, f)
