"""Train the demo regression model that the online deployment serves.

Run with the interpreter whose library versions scoring/environment/conda.yaml
pins (on Debian 12: /usr/bin/python3 with python3-sklearn):

    /usr/bin/python3 scoring/train.py

The data is synthetic and the seed fixed, so a rerun with the same library
versions gives the same coefficients. Besides the pickle, the script writes
training-info.json next to it: the library versions the model was trained with
(the environment's pins must match them) and the predictions for
scoring/sample-request.json (a check that a host loaded the right model).
"""

import argparse
import json
import os
import platform
import sys

import joblib
import numpy
import scipy
import sklearn
from sklearn.linear_model import Ridge

SEED = 20240917
N_FEATURES = 10
N_SAMPLES = 500
NOISE_STDDEV = 0.5
MODEL_FILE_NAME = "sklearn_regression_model.pkl"
INFO_FILE_NAME = "training-info.json"

HERE = os.path.dirname(os.path.abspath(__file__))


def make_data(rng):
    """Features uniform in [0, 10); the target is linear in them plus noise."""
    features = rng.uniform(0.0, 10.0, size=(N_SAMPLES, N_FEATURES))
    weights = numpy.linspace(-2.0, 2.5, N_FEATURES)
    target = features @ weights + 3.0 + rng.normal(0.0, NOISE_STDDEV, N_SAMPLES)
    return features, target


def train():
    rng = numpy.random.default_rng(SEED)
    features, target = make_data(rng)
    model = Ridge(alpha=1.0)
    model.fit(features, target)
    return model, model.score(features, target)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output-dir",
        default=os.path.join(HERE, "model"),
        help="folder for the model and training-info.json (default: scoring/model)",
    )
    args = parser.parse_args(argv)

    model, r2 = train()
    os.makedirs(args.output_dir, exist_ok=True)
    model_path = os.path.join(args.output_dir, MODEL_FILE_NAME)
    joblib.dump(model, model_path)

    with open(os.path.join(HERE, "sample-request.json"), encoding="utf-8") as f:
        sample = json.load(f)["data"]
    info = {
        "model_file": MODEL_FILE_NAME,
        "estimator": type(model).__name__,
        "n_features": N_FEATURES,
        "seed": SEED,
        "r2_on_training_data": round(float(r2), 6),
        "sample_request_predictions": model.predict(numpy.asarray(sample)).tolist(),
        "trained_with": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
            "joblib": joblib.__version__,
        },
    }
    with open(os.path.join(args.output_dir, INFO_FILE_NAME), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
        f.write("\n")

    print(f"wrote {model_path} ({os.path.getsize(model_path)} bytes), R^2 {r2:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
