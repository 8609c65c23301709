"""Calibration of field confidences: a monotone map from raw score to the probability that the
value is right, fitted on labelled documents, and the measures of how well scores are calibrated.

Every function takes ``(confidence, correct)`` pairs: one per extracted leaf value of a labelled
document, ``correct`` true when the value equals the truth after normalisation (``scoring.py``'s
outcome ``tp``). The fit is isotonic regression (pool adjacent violators): the best
least-squares fit among non-decreasing maps, so it keeps the order of the scores and needs no
assumption about their shape. Between the fitted points the map is linear; outside them it is
flat. Saved as a small JSON file that runs load (:meth:`Calibration.load`)."""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

Pair = tuple[float, bool]  # (confidence, correct)
FORMAT = "docintel-calibration/1"


@dataclass(frozen=True)
class Calibration:
    """A fitted map: ``xs`` raw scores (increasing) to ``ys`` probabilities (non-decreasing)."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    samples: int  # pairs it was fitted on
    positives: int  # of which correct
    created: str  # ISO 8601 time of the fit (UTC)
    model: str = ""  # the model whose answers it was fitted on
    prompt_version: str = ""
    method: str = "isotonic"
    notes: dict[str, str] = field(default_factory=dict)

    def __call__(self, score: float) -> float:
        """The calibrated probability for a raw ``score``."""
        if not self.xs:
            return score
        if score <= self.xs[0]:
            return self.ys[0]
        if score >= self.xs[-1]:
            return self.ys[-1]
        i = bisect.bisect_right(self.xs, score)
        x0, x1, y0, y1 = self.xs[i - 1], self.xs[i], self.ys[i - 1], self.ys[i]
        return y0 + (y1 - y0) * (score - x0) / (x1 - x0)

    def save(self, path: str | Path) -> Path:
        """Write the calibration as JSON to ``path``."""
        path = Path(path)
        data = {"format": FORMAT, **asdict(self), "xs": list(self.xs), "ys": list(self.ys)}
        path.write_text(json.dumps(data, indent=1) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        """Read a calibration that :meth:`save` wrote; ``ValueError`` for anything else."""
        data = json.loads(Path(path).read_text())
        if not isinstance(data, dict) or data.pop("format", None) != FORMAT:
            raise ValueError(f"{path}: not a docintel calibration file ({FORMAT})")
        try:
            calibration = cls(**{**data, "xs": tuple(map(float, data["xs"])), "ys": tuple(map(float, data["ys"]))})
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: a damaged calibration file ({type(exc).__name__}: {exc})") from exc
        xs, ys = calibration.xs, calibration.ys
        if not xs or len(xs) != len(ys) or any(b <= a for a, b in zip(xs, xs[1:])) or \
                any(b < a for a, b in zip(ys, ys[1:])):
            raise ValueError(f"{path}: the calibration points are not a non-decreasing map")
        return calibration


def fit_isotonic(pairs: Iterable[Pair], model: str = "", prompt_version: str = "") -> Calibration:
    """Isotonic regression of ``correct`` on ``confidence`` by pool adjacent violators. Each
    block of pooled scores contributes its lowest and highest score at the block's accuracy."""
    pairs = [(float(c), bool(ok)) for c, ok in pairs]
    if not pairs:
        raise ValueError("no (confidence, correct) pairs to fit a calibration on")
    tied: dict[float, list[float]] = {}  # score -> [correct, count]: equal scores get one value
    for score, ok in pairs:
        tied.setdefault(score, [0.0, 0.0])
        tied[score][0] += ok
        tied[score][1] += 1
    blocks: list[list[float]] = []  # [sum of correct, weight, lowest score, highest score]
    for score in sorted(tied):
        blocks.append([*tied[score], score, score])
        # Pool while the block before has a mean at least as high (equal means pool into one).
        while len(blocks) > 1 and blocks[-2][0] * blocks[-1][1] >= blocks[-1][0] * blocks[-2][1]:
            total, weight, _, high = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += weight
            blocks[-1][3] = high
    xs: list[float] = []
    ys: list[float] = []
    for total, weight, low, high in blocks:
        for x in (low, high) if high > low else (low,):
            xs.append(x)
            ys.append(total / weight)
    return Calibration(xs=tuple(xs), ys=tuple(ys), samples=len(pairs), positives=sum(ok for _, ok in pairs),
                       created=datetime.now(timezone.utc).isoformat(timespec="seconds"), model=model,
                       prompt_version=prompt_version)


@dataclass(frozen=True)
class ReliabilityBin:
    """Scores in ``[lower, upper)`` (the last bin includes 1): how many, and how often right."""

    lower: float
    upper: float
    count: int
    mean_confidence: float | None  # None for an empty bin
    accuracy: float | None


def reliability_table(pairs: Sequence[Pair], bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width bins over 0-1 with the count, mean confidence and accuracy of each."""
    members: list[list[Pair]] = [[] for _ in range(bins)]
    for confidence, correct in pairs:
        members[min(max(int(confidence * bins), 0), bins - 1)].append((confidence, correct))
    table = []
    for i, inside in enumerate(members):
        n = len(inside)
        table.append(ReliabilityBin(i / bins, (i + 1) / bins, n,
                                    sum(c for c, _ in inside) / n if n else None,
                                    sum(bool(ok) for _, ok in inside) / n if n else None))
    return table


def expected_calibration_error(pairs: Sequence[Pair], bins: int = 10) -> float:
    """ECE: the count-weighted mean of |accuracy - mean confidence| over equal-width bins."""
    if not pairs:
        raise ValueError("no (confidence, correct) pairs")
    table = reliability_table(pairs, bins)
    return sum(b.count * abs(b.accuracy - b.mean_confidence) for b in table if b.count) / len(pairs)
