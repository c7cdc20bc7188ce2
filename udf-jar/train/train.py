"""Trains the ANOMALY autoencoder with H2O and exports it as a MOJO; picks the threshold.

  train.py fit TRAIN.csv MODEL_DIR        train on normal windows, write autoencoder.zip + .properties
  train.py threshold VALID.csv SCORES     choose the threshold from the jar's scores of labelled windows

The input transform (smooth, centre, scale) is the same as dev.edgeml.udf.WindowNormalizer's: the
UDF applies it to every window before the MOJO sees it.
"""
import csv
import json
import os
import shutil
import sys
import tempfile

import numpy as np

WINDOW = 210
# Centred moving average over this many readings: divides the sensor-noise floor of the
# reconstruction error by about 5, while spikes, shifts, bursts and flat stretches all span
# at least this many readings after smoothing.
SMOOTHING = 5
# Typical within-window standard deviation of a normal trace (src/generator/faults.ts NORMAL_WINDOW_SD):
# brings inputs to about unit scale for the tanh layers.
SCALE = 0.6
SEED = 20240607
HIDDEN = [50, 20, 50]
EPOCHS = float(os.environ.get('EDGE_ML_TRAIN_EPOCHS', '30'))
L2 = 1e-5
# Share of normal validation windows allowed above the threshold.
NORMAL_QUANTILE = 99.9


def load(path):
    labels, rows = [], []
    with open(path) as f:
        reader = csv.reader(f)
        header = next(reader)
        assert header[2] == 'label' and len(header) == 3 + WINDOW, f'{path}: not a generate --output CSV'
        for row in reader:
            labels.append(row[2])
            rows.append([float(v) for v in row[3:]])
    return np.array(labels), np.array(rows)


def smooth(x):
    """Centred moving average, truncated at the window's edges (as WindowNormalizer does)."""
    half = SMOOTHING // 2
    n = x.shape[1]
    cumulative = np.concatenate([np.zeros((len(x), 1)), np.cumsum(x, axis=1)], axis=1)
    lo = np.maximum(np.arange(n) - half, 0)
    hi = np.minimum(np.arange(n) + half + 1, n)
    return (cumulative[:, hi] - cumulative[:, lo]) / (hi - lo)


def normalize(x):
    s = smooth(x)
    return (s - s.mean(axis=1, keepdims=True)) / SCALE


def fit(train_csv, model_dir):
    import h2o
    from h2o.estimators.deeplearning import H2OAutoEncoderEstimator

    labels, x = load(train_csv)
    assert (labels == 'normal').all(), 'training data must be normal windows only (--anomaly-rate 0)'
    columns = [f'r{i + 1}' for i in range(WINDOW)]
    work = tempfile.mkdtemp(prefix='edge-ml-train-')
    frame_csv = os.path.join(work, 'train.csv')
    np.savetxt(frame_csv, normalize(x), delimiter=',', fmt='%.6f', header=','.join(columns), comments='')
    h2o.init(nthreads=2, max_mem_size='3G')
    h2o.no_progress()
    try:
        frame = h2o.import_file(frame_csv)
        model = H2OAutoEncoderEstimator(
            activation='Tanh', hidden=HIDDEN, epochs=EPOCHS, l2=L2, standardize=False,
            seed=SEED, reproducible=True, stopping_rounds=0,
        )
        model.train(x=columns, training_frame=frame)
        print(f'trained: {len(x)} windows, {EPOCHS} epochs, training MSE {model.mse():.6f}', flush=True)
        mojo = model.download_mojo(path=work)
        os.makedirs(model_dir, exist_ok=True)
        shutil.copyfile(mojo, os.path.join(model_dir, 'autoencoder.zip'))
    finally:
        h2o.cluster().shutdown()
        shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(model_dir, 'autoencoder.properties'), 'w') as f:
        f.write('# Written by udf-jar/train/train.py: the input transform the MOJO was trained with.\n')
        f.write(f'input.smoothing={SMOOTHING}\ninput.scale={SCALE}\n')


def threshold(valid_csv, scores_file):
    labels, _ = load(valid_csv)
    with open(scores_file) as f:
        scores = np.array([float(line) for line in f.read().split()])
    assert len(scores) == len(labels), f'{len(scores)} scores for {len(labels)} windows'
    normal = scores[labels == 'normal']
    chosen = float(f'{np.percentile(normal, NORMAL_QUANTILE):.3g}')
    flagged = scores > chosen
    anomalous = labels != 'normal'
    recall = (flagged & anomalous).sum() / anomalous.sum()
    precision = (flagged & anomalous).sum() / max(1, flagged.sum())
    per_kind = {k: round(float(flagged[labels == k].mean()), 3) for k in sorted(set(labels) - {'normal'})}
    print(json.dumps({'threshold': chosen, 'recall': round(float(recall), 4), 'precision': round(float(precision), 4), 'perKind': per_kind}))


if __name__ == '__main__':
    command, args = sys.argv[1], sys.argv[2:]
    {'fit': fit, 'threshold': threshold}[command](*args)
