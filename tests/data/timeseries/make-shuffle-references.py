"""Window orders of Keras 3's timeseries_dataset_from_array with shuffle=True, for tests/New-TimeseriesData.Tests.ps1.

Keras (keras/src/utils/timeseries_dataset_utils.py) builds the start positions as
np.arange(0, num_seqs, sequence_stride) and shuffles them with np.random.RandomState(seed).shuffle before windowing;
this script does exactly that with NumPy (run with Debian's /usr/bin/python3, NumPy 1.24) and writes the orders to
shuffle-references.json. Rerun: /usr/bin/python3 tests/data/timeseries/make-shuffle-references.py
"""
import json
import os

import numpy as np

CASES = [
    # steps, sequence_length, sequence_stride, sampling_rate, seed
    (100, 5, 1, 1, 42),
    (99, 10, 3, 2, 7),
    (1000, 24, 2, 1, 123456),
    (30, 4, 1, 1, 0),
]


def start_positions(steps, sequence_length, sequence_stride, sampling_rate, seed):
    num_seqs = steps - (sequence_length - 1) * sampling_rate
    positions = np.arange(0, num_seqs, sequence_stride, dtype="int32")
    rng = np.random.RandomState(seed)
    rng.shuffle(positions)
    return [int(p) for p in positions]


def main():
    out = []
    for steps, length, stride, rate, seed in CASES:
        out.append({
            "Steps": steps, "SequenceLength": length, "SequenceStride": stride, "SamplingRate": rate, "Seed": seed,
            "Starts": start_positions(steps, length, stride, rate, seed),
        })
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shuffle-references.json")
    with open(path, "w") as f:
        json.dump({"numpy": np.__version__, "cases": out}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
