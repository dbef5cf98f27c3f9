"""The model track: character n-gram TF-IDF and a multinomial logistic regression.

Chinese has no spaces, so the features are character 1–3-grams of the folded text (see
:func:`compliance.engine.rules.fold`), sublinear TF, L2-normalised. The classifier is trained on
the violation categories plus ``none``; ``P(violation) = 1 − P(none)`` and the most probable
violation class names the category when no rule fired. Training is deterministic (fixed solver,
no random state in play), so the same corpus gives the same model and the same version.
"""

from __future__ import annotations

import csv
import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from .rules import fold

CORPUS_PATH = Path(__file__).with_name("corpus") / "zh.tsv"
CLEAN = "none"
ALGORITHM = "tfidf-char13-logreg"
PARAMETERS = {"ngram_range": (1, 3), "min_df": 1, "C": 8.0, "max_iter": 2000}


@dataclass(frozen=True)
class Corpus:
    texts: tuple[str, ...]
    labels: tuple[str, ...]  # a violation category or CLEAN
    hard_negative: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.texts)

    def take(self, index: Sequence[int]) -> Corpus:
        return Corpus(
            tuple(self.texts[i] for i in index),
            tuple(self.labels[i] for i in index),
            tuple(self.hard_negative[i] for i in index),
        )

    def plus(self, texts: Sequence[str], labels: Sequence[str]) -> Corpus:
        """This corpus with more labelled texts (reviewers' decisions) appended."""
        return Corpus(
            self.texts + tuple(texts),
            self.labels + tuple(labels),
            self.hard_negative + (False,) * len(texts),
        )

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for text, label in zip(self.texts, self.labels, strict=True):
            digest.update(f"{label}\t{text}\n".encode())
        return digest.hexdigest()


def load_corpus(path: Path = CORPUS_PATH) -> Corpus:
    """The shipped corpus: a TSV with ``category``, ``hard_negative``, ``source``, ``text``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return Corpus(
        tuple(row["text"] for row in rows),
        tuple(row["category"] for row in rows),
        tuple(row["hard_negative"] == "1" for row in rows),
    )


class RiskModel:
    """A trained classifier with the version that names its corpus and parameters."""

    def __init__(self, pipeline: Pipeline, version: str):
        self.pipeline = pipeline
        self.version = version
        classes = list(pipeline.classes_)
        self._clean = classes.index(CLEAN)
        self._violations = np.array([i for i in range(len(classes)) if i != self._clean])
        self._classes = np.array(classes, dtype=object)

    def predict(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(p_violation, likeliest violation category)`` per text, vectorised."""
        if not len(texts):
            return np.zeros(0), np.zeros(0, dtype=object)
        proba = self.pipeline.predict_proba([fold(t) for t in texts])
        likeliest = self._violations[np.argmax(proba[:, self._violations], axis=1)]
        return 1.0 - proba[:, self._clean], self._classes[likeliest]

    def dumps(self) -> bytes:
        return pickle.dumps((self.pipeline, self.version), protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def loads(cls, blob: bytes) -> RiskModel:
        # Only blobs this platform wrote itself (the retraining service) are ever loaded.
        pipeline, version = pickle.loads(blob)  # noqa: S301
        return cls(pipeline, version)


def train(corpus: Corpus) -> RiskModel:
    """Fit on every row of ``corpus``; deterministic."""
    if CLEAN not in corpus.labels or len(set(corpus.labels)) < 2:
        raise ValueError("the corpus needs clean texts and at least one violation category")
    pipeline = Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=PARAMETERS["ngram_range"],
                    min_df=PARAMETERS["min_df"],
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
            (
                "classifier",
                LogisticRegression(
                    C=PARAMETERS["C"],
                    max_iter=PARAMETERS["max_iter"],
                    class_weight="balanced",
                    solver="lbfgs",
                ),
            ),
        ]
    )
    pipeline.fit(list(map(fold, corpus.texts)), list(corpus.labels))
    return RiskModel(pipeline, version_of(corpus))


def version_of(corpus: Corpus) -> str:
    params = hashlib.sha256(repr(sorted(PARAMETERS.items())).encode()).hexdigest()
    return f"{ALGORITHM}-{corpus.fingerprint()[:8]}{params[:4]}"
