"""Inputs and reference outputs for the real-Keras-file scan (scan-real-files.ps1).

For every Keras model file given (an .h5/.hdf5 with a model_config; weights-only files are left out), writes one JSON
entry: the file's keras_version, backend and model class, and, where a reference exists, inputs and outputs:
- Keras's own, where the file has a sibling `<name>_inputs_and_outputs.h5` (dl4j-test-resources' examples/: the inputs
  Keras was given and the predictions or outputs it made), the first ROWS rows;
- otherwise, for functional models, a NumPy forward pass over the file's own config and weights
  (../make-functional-references.py, independent of KerasPS), and for Keras 1 Sequential files one over Keras 1's own
  configs and weight layouts (../keras1/make-references.py).
Usage: python3 make-scan-references.py OUT.json FILE.h5 [FILE.h5 ...]   (Debian's python3 with h5py and NumPy)
"""
import json
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import importlib.util  # noqa: E402

spec = importlib.util.spec_from_file_location(
    "functional_refs", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "make-functional-references.py"))
functional_refs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(functional_refs)
spec = importlib.util.spec_from_file_location(
    "keras1_refs", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "keras1", "make-references.py"))
keras1_refs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(keras1_refs)

ROWS = 8


def text(v):
    return v.decode() if isinstance(v, bytes) else (str(v) if v is not None else None)


def tensors(group):
    return [group[k][()] for k in group.keys()]


def entry(xs):
    return [{"shape": list(x.shape), "values": [float(f"{v:.9g}") for v in np.asarray(x, np.float64).reshape(-1)]}
            for x in xs]


def main():
    out, files = sys.argv[1], sys.argv[2:]
    result = {}
    for path in files:
        try:
            f = h5py.File(path, "r")
        except Exception as e:  # not HDF5 (a resource_reference stub)
            print(f"not read {path}: {e}", file=sys.stderr)
            continue
        if "model_config" not in f.attrs:
            continue
        config = json.loads(text(f.attrs["model_config"]))
        item = {"keras_version": text(f.attrs.get("keras_version")), "backend": text(f.attrs.get("backend")),
                "class_name": config.get("class_name")}
        io_path = path.replace("_model.h5", "_inputs_and_outputs.h5")
        if io_path != path and os.path.exists(io_path):
            try:
                io = h5py.File(io_path, "r")
                outs = io["predictions"] if "predictions" in io else io["outputs"]
                item["reference"] = "keras"
                item["inputs"] = entry([x[:ROWS] for x in tensors(io["inputs"])])
                item["outputs"] = entry([y[:ROWS] for y in tensors(outs)])
            except Exception as e:
                print(f"no stored outputs read for {path}: {e}", file=sys.stderr)
        elif (item["keras_version"] or "").startswith("1.") and item["class_name"] == "Sequential":
            try:
                inputs, outputs = keras1_refs.forward(path, np.random.default_rng(42))
                item["reference"] = "numpy"
                item["inputs"] = entry(inputs)
                item["outputs"] = entry(outputs)
            except Exception as e:  # a layer the Keras 1 NumPy pass does not compute
                item["no_reference"] = str(e)[:120]
        elif item["class_name"] in ("Model", "Functional"):
            try:
                inputs, outputs = functional_refs.forward(path, np.random.default_rng(42))
                item["reference"] = "numpy"
                item["inputs"] = entry(inputs)
                item["outputs"] = entry(outputs)
            except Exception as e:  # a layer the NumPy pass does not compute
                item["no_reference"] = str(e)[:120]
        result[path] = item
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
