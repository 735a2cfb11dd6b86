"""alt-profanity-check's model in a lean form: its numbers, without scikit-learn in the server.

The package ships a pickled TF-IDF vectorizer and a calibrated linear SVM. Unpickling them
brings scikit-learn and SciPy into every worker (about 90 MB each), and every call pays
scikit-learn's input validation (about 4 ms, whatever the batch size). The model itself is
small: a vocabulary, an IDF weight per word, and for each of the calibration folds a
weight per word, an intercept and a sigmoid. `export_model` reads those numbers out of the
package's own objects, in a separate process so the server never imports scikit-learn, and
`LinearTextModel` computes the same probabilities from them with NumPy. Tests compare both
on a corpus, so the form stays true to the package it came from.

What the vectorizer does, and so what `LinearTextModel` repeats: lowercase, find the words
of two or more word characters, count the words that are in the vocabulary (stop words are
not), weight counts by IDF, scale the vector to unit length. Each fold's calibrated
probability is a sigmoid of its linear decision value; the model's is their mean.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

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
class LinearTextModel:
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    """One row per calibration fold, one column per word."""
    intercepts: npt.NDArray[np.float64]
    sigmoid_a: npt.NDArray[np.float64]
    sigmoid_b: npt.NDArray[np.float64]

    def predict(self, texts: Sequence[str]) -> list[float]:
        """The probability that each text is abusive, as the package's `predict_prob`."""
        decisions = np.tile(self.intercepts, (len(texts), 1))
        for row, text in enumerate(texts):
            counts = Counter(
                index
                for token in TOKEN.findall(text.lower())
                if (index := self.vocabulary.get(token)) is not None
            )
            if counts:
                columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                values = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
                weighted = values * self.idf[columns]
                decisions[row] += self.weights[:, columns] @ (weighted / np.linalg.norm(weighted))
        probabilities = 1.0 / (1.0 + np.exp(self.sigmoid_a * decisions + self.sigmoid_b))
        return [float(value) for value in probabilities.mean(axis=1)]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        words = np.array(sorted(self.vocabulary, key=self.vocabulary.__getitem__))
        np.savez(
            buffer, words=words, idf=self.idf, weights=self.weights,
            intercepts=self.intercepts, sigmoid_a=self.sigmoid_a, sigmoid_b=self.sigmoid_b,
        )  # fmt: skip
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearTextModel:
        arrays = np.load(io.BytesIO(data), allow_pickle=False)
        return cls(
            vocabulary={str(word): index for index, word in enumerate(arrays["words"])},
            idf=arrays["idf"],
            weights=arrays["weights"],
            intercepts=arrays["intercepts"],
            sigmoid_a=arrays["sigmoid_a"],
            sigmoid_b=arrays["sigmoid_b"],
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
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        weights=np.vstack([fold.estimator.coef_[0] for fold in folds]),
        intercepts=np.array([fold.estimator.intercept_[0] for fold in folds]),
        sigmoid_a=np.array([fold.calibrators[0].a_ for fold in folds]),
        sigmoid_b=np.array([fold.calibrators[0].b_ for fold in folds]),
    )


def load_in_subprocess() -> LinearTextModel:
    """Export the model in a child process and keep only its numbers here."""
    exported = subprocess.run(
        [sys.executable, "-m", "talkback.moderation.profanity_model"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return LinearTextModel.from_bytes(exported.stdout)


if __name__ == "__main__":
    sys.stdout.buffer.write(export_model().to_bytes())
