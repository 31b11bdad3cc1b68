#!/usr/bin/python3
"""scikit-learn baseline for the slopguard benchmark.

Word 1-2-gram and character 3-5-gram (within word boundaries) TF-IDF,
concatenated, into a logistic regression with scikit-learn's defaults
(L2, C=1, lbfgs; max_iter raised so it converges). Features are hashed into
2^20 buckets per family so memory is bounded and no vocabulary is stored;
IDF is fitted on the training split. Classes are not re-weighted.

    sklearn_baseline.py train TRAIN.jsonl MODEL.pkl   # {"text","label"} per line
    sklearn_baseline.py score MODEL.pkl DEV.jsonl     # {"text"} per line -> P(machine) per line on stdout

Run it with Debian's /usr/bin/python3 and python3-sklearn.
"""

import json
import pickle
import sys

from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

N_FEATURES = 2**20  # per family
CHUNK = 4096  # documents transformed at a time when scoring


def build():
    def tfidf(analyzer, ngrams):
        return Pipeline([
            ("hash", HashingVectorizer(analyzer=analyzer, ngram_range=ngrams, n_features=N_FEATURES,
                                       alternate_sign=False, norm=None, lowercase=True)),
            ("idf", TfidfTransformer(sublinear_tf=True)),
        ])

    return Pipeline([
        ("features", FeatureUnion([
            ("word", tfidf("word", (1, 2))),
            ("char", tfidf("char_wb", (3, 5))),
        ])),
        ("lr", LogisticRegression(max_iter=1000)),
    ])


def read_jsonl(path, fields):
    out = {f: [] for f in fields}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            for name in fields:
                out[name].append(rec[name])
    return out


def train(train_path, model_path):
    data = read_jsonl(train_path, ("text", "label"))
    y = [1 if label == "machine" else 0 for label in data["label"]]
    model = build()
    model.fit(data["text"], y)
    with open(model_path, "wb") as f:
        pickle.dump(model, f, protocol=pickle.HIGHEST_PROTOCOL)
    lr = model.named_steps["lr"]
    print(f"sklearn: trained on {len(y)} docs, {int(lr.n_iter_[0])} lbfgs iterations", file=sys.stderr)


def score(model_path, dev_path):
    with open(model_path, "rb") as f:
        model = pickle.load(f)
    machine = list(model.named_steps["lr"].classes_).index(1)
    texts = read_jsonl(dev_path, ("text",))["text"]
    out = sys.stdout
    for i in range(0, len(texts), CHUNK):
        probs = model.predict_proba(texts[i:i + CHUNK])[:, machine]
        out.write("".join(f"{p:.6f}\n" for p in probs))
    out.flush()


def main(argv):
    if len(argv) == 4 and argv[1] == "train":
        train(argv[2], argv[3])
    elif len(argv) == 4 and argv[1] == "score":
        score(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
