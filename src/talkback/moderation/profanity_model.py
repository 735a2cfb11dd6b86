"""alt-profanity-check's model in a lean form: its numbers, without scikit-learn in the server.

The package ships a pickled TF-IDF vectorizer and a calibrated linear SVM. Unpickling them
brings scikit-learn and SciPy into every worker (about 90 MB each), and every call pays
scikit-learn's input validation (about 4 ms, whatever the batch size). The model itself is
small: a vocabulary, an IDF weight per word, and for each of the calibration folds a
weight per word, an intercept and a sigmoid. `export_model` reads those numbers out of the
package's own objects, in a separate process so the server never imports scikit-learn, and
`LinearTextModel` computes the same probabilities from them. Tests compare both
on a corpus, so the form stays true to the package it came from.

What the vectorizer does, and so what `LinearTextModel` repeats: lowercase, find the words
of two or more word characters, count the words that are in the vocabulary (stop words are
not), weight counts by IDF, scale the vector to unit length. Each fold's calibrated
probability is a sigmoid of its linear decision value; the model's is their mean.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""The vectorizer's token pattern (checked by `export_model` against the package's)."""

EXPECTED_VECTORIZER = {
    "analyzer": "word",
    "lowercase": True,
    "ngram_range": (1, 1),
    "norm": "l2",
    "sublinear_tf": False,
    "use_idf": True,
    "binary": False,
    "token_pattern": TOKEN.pattern,
    "preprocessor": None,
    "tokenizer": None,
    "strip_accents": None,
}


@dataclass(frozen=True)
class Fold:
    """One calibration fold: a weight per word, an intercept, and its sigmoid."""

    weights: array[float]
    intercept: float
    sigmoid_a: float
    sigmoid_b: float

    def probability(self, features: dict[int, float]) -> float:
        decision = self.intercept + sum(
            value * self.weights[index] for index, value in features.items()
        )
        return 1.0 / (1.0 + math.exp(self.sigmoid_a * decision + self.sigmoid_b))


@dataclass(frozen=True)
class LinearTextModel:
    """Plain Python over compact arrays: a comment has a few dozen words, so scoring one
    touches a few hundred numbers, and NumPy (15 MB a worker) would buy nothing."""

    vocabulary: dict[str, int]
    idf: array[float]
    folds: tuple[Fold, ...]

    def predict(self, texts: Sequence[str]) -> list[float]:
        """The probability that each text is abusive, as the package's `predict_prob`."""
        return [self._probability(text) for text in texts]

    def _probability(self, text: str) -> float:
        counts = Counter(
            index
            for token in TOKEN.findall(text.lower())
            if (index := self.vocabulary.get(token)) is not None
        )
        weighted = {index: count * self.idf[index] for index, count in counts.items()}
        norm = math.sqrt(sum(value * value for value in weighted.values()))
        features = {index: value / norm for index, value in weighted.items()} if norm else {}
        return sum(fold.probability(features) for fold in self.folds) / len(self.folds)

    def to_json(self) -> str:
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        folds = [
            {"weights": list(f.weights), "intercept": f.intercept, "a": f.sigmoid_a,
             "b": f.sigmoid_b}
            for f in self.folds
        ]  # fmt: skip
        return json.dumps({"words": words, "idf": list(self.idf), "folds": folds})

    @classmethod
    def from_json(cls, data: str | bytes) -> LinearTextModel:
        numbers: dict[str, Any] = json.loads(data)
        return cls(
            vocabulary={word: index for index, word in enumerate(numbers["words"])},
            idf=array("d", numbers["idf"]),
            folds=tuple(
                Fold(array("d", fold["weights"]), fold["intercept"], fold["a"], fold["b"])
                for fold in numbers["folds"]
            ),
        )


def export_model() -> LinearTextModel:
    """The package's model as numbers (imports scikit-learn: run it in its own process)."""
    from profanity_check import profanity_check as package

    vectorizer, calibrated = package.vectorizer, package.model
    params = vectorizer.get_params()
    differing = {k: params[k] for k, v in EXPECTED_VECTORIZER.items() if params[k] != v}
    if differing:
        raise RuntimeError(f"alt-profanity-check's vectorizer changed: {differing}")
    folds = calibrated.calibrated_classifiers_
    if any(fold.method != "sigmoid" or len(fold.calibrators) != 1 for fold in folds):
        raise RuntimeError("alt-profanity-check's calibration is no longer one sigmoid a fold")
    return LinearTextModel(
        vocabulary={str(word): int(index) for word, index in vectorizer.vocabulary_.items()},
        idf=array("d", (float(value) for value in vectorizer.idf_)),
        folds=tuple(
            Fold(
                weights=array("d", (float(value) for value in fold.estimator.coef_[0])),
                intercept=float(fold.estimator.intercept_[0]),
                sigmoid_a=float(fold.calibrators[0].a_),
                sigmoid_b=float(fold.calibrators[0].b_),
            )
            for fold in folds
        ),
    )


def load_in_subprocess() -> LinearTextModel:
    """Export the model in a child process and keep only its numbers here."""
    exported = subprocess.run(
        [sys.executable, "-m", "talkback.moderation.profanity_model"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return LinearTextModel.from_json(exported.stdout)


if __name__ == "__main__":
    sys.stdout.write(export_model().to_json())
