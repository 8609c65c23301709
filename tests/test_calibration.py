"""Calibration: isotonic fit, its file round trip, ECE and the reliability table."""

from __future__ import annotations

import json
import random

import pytest

from pipeline.calibration import (
    Calibration,
    expected_calibration_error,
    fit_isotonic,
    reliability_table,
)

GRID = [i / 200 for i in range(201)]


def overconfident(n: int, seed: int) -> list[tuple[float, bool]]:
    """Values right with probability q, reported with confidence q ** 0.3 (always higher)."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        q = rng.random()
        pairs.append((q ** 0.3, rng.random() < q))
    return pairs


def test_pool_adjacent_violators_by_hand() -> None:
    calibration = fit_isotonic([(0.1, True), (0.2, False), (0.3, True), (0.4, True), (0.4, False)])
    # 0.1 and 0.2 pool to 0.5; the tied scores at 0.4 pool to 0.5, then with 0.3 to 2/3.
    assert calibration.xs == (0.1, 0.2, 0.3, 0.4)
    assert calibration.ys == pytest.approx((0.5, 0.5, 2 / 3, 2 / 3))
    assert (calibration.samples, calibration.positives) == (5, 3)
    assert calibration(0.0) == pytest.approx(0.5) and calibration(1.0) == pytest.approx(2 / 3)
    assert calibration(0.25) == pytest.approx((0.5 + 2 / 3) / 2)  # linear between fitted points


def test_fit_matches_the_min_max_formula() -> None:
    # Isotonic regression at the i-th distinct score is max over j <= i of min over k >= i of the
    # mean of scores j..k (Robertson, Wright and Dykstra), checked on small random samples.
    rng = random.Random(0)
    for _ in range(200):
        pairs = [(rng.choice([0.1, 0.2, 0.3, 0.5, 0.8, 0.9]), rng.random() < 0.5) for _ in range(rng.randint(1, 12))]
        xs = sorted({c for c, _ in pairs})
        outcomes = [[ok for c, ok in pairs if c == x] for x in xs]

        def mean(j: int, k: int) -> float:
            chosen = [ok for group in outcomes[j:k + 1] for ok in group]
            return sum(chosen) / len(chosen)

        expected = [max(min(mean(j, k) for k in range(i, len(xs))) for j in range(i + 1)) for i in range(len(xs))]
        calibration = fit_isotonic(pairs)
        assert [calibration(x) for x in xs] == pytest.approx(expected)


def test_fit_is_monotone_and_lowers_the_error() -> None:
    train, held_out = overconfident(4000, seed=1), overconfident(4000, seed=2)
    calibration = fit_isotonic(train, model="tiny", prompt_version="p1")
    assert all(b > a for a, b in zip(calibration.xs, calibration.xs[1:]))
    assert all(b >= a for a, b in zip(calibration.ys, calibration.ys[1:]))
    mapped = [calibration(x) for x in GRID]
    assert all(b >= a for a, b in zip(mapped, mapped[1:]))
    assert all(0.0 <= y <= 1.0 for y in mapped)

    before = expected_calibration_error(held_out)
    after = expected_calibration_error([(calibration(c), ok) for c, ok in held_out])
    assert before > 0.15  # q ** 0.3 overstates q by ~0.23 on average
    assert after < 0.04 and after < before / 4


def test_save_load_round_trip(tmp_path) -> None:
    calibration = fit_isotonic(overconfident(500, seed=3), model="google/gemma-4-12B-it", prompt_version="v7")
    path = calibration.save(tmp_path / "calibration.json")
    loaded = Calibration.load(path)
    assert loaded == calibration
    assert [loaded(x) for x in GRID] == [calibration(x) for x in GRID]
    data = json.loads(path.read_text())
    assert data["format"] == "docintel-calibration/1" and data["method"] == "isotonic"
    assert (data["samples"], data["model"], data["prompt_version"]) == (500, "google/gemma-4-12B-it", "v7")
    assert data["created"].startswith("20")


def test_load_refuses_other_files(tmp_path) -> None:
    (tmp_path / "other.json").write_text('{"xs": [0.1], "ys": [0.5]}')
    with pytest.raises(ValueError, match="not a docintel calibration"):
        Calibration.load(tmp_path / "other.json")
    (tmp_path / "bent.json").write_text(json.dumps({"format": "docintel-calibration/1", "xs": [0.1, 0.2],
                                                    "ys": [0.9, 0.1], "samples": 2, "positives": 1,
                                                    "created": "2025-01-01T00:00:00+00:00"}))
    with pytest.raises(ValueError, match="non-decreasing"):
        Calibration.load(tmp_path / "bent.json")


def test_reliability_table_and_error() -> None:
    pairs = [(0.05, False)] * 10 + [(0.95, True)] * 9 + [(0.95, False)] + [(1.0, True)] * 10
    table = reliability_table(pairs, bins=10)
    assert [b.count for b in table] == [10, 0, 0, 0, 0, 0, 0, 0, 0, 20]
    assert table[0].accuracy == 0.0 and table[0].mean_confidence == pytest.approx(0.05)
    assert table[9].accuracy == pytest.approx(0.95) and table[9].mean_confidence == pytest.approx(0.975)
    assert table[1].accuracy is None and table[1].mean_confidence is None
    # |0 - 0.05| * 10 + |0.95 - 0.975| * 20, over 30 values
    assert expected_calibration_error(pairs) == pytest.approx((0.5 + 0.5) / 30)
    assert expected_calibration_error([(0.7, True)] * 7 + [(0.7, False)] * 3) == pytest.approx(0.0)


def test_fit_needs_data() -> None:
    with pytest.raises(ValueError):
        fit_isotonic([])
    with pytest.raises(ValueError):
        expected_calibration_error([])
