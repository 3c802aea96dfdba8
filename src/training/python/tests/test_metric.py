"""The competition metric against values worked out by hand (natural logs, weights 1/2/4)."""
import math

import numpy as np
import pytest

from spinetrainer.metric import EPS, ScoredRow, competition_score, weighted_log_loss

S, F, A = "SPINAL_CANAL_STENOSIS", "LEFT_NEURAL_FORAMINAL_NARROWING", "RIGHT_SUBARTICULAR_STENOSIS"


def test_hand_computed_score() -> None:
    rows = [
        ScoredRow("a", S, "L1_L2", 0, (0.8, 0.1, 0.1)),
        ScoredRow("a", S, "L2_L3", 2, (0.2, 0.3, 0.5)),
        ScoredRow("b", S, "L1_L2", 1, (0.5, 0.25, 0.25)),
        ScoredRow("b", F, "L1_L2", 1, (0.25, 0.5, 0.25)),
        ScoredRow("b", A, "L1_L2", -1, (0.9, 0.05, 0.05)),  # not graded: not scored
    ]
    out = competition_score(rows)
    # spinal: (1*-ln .8 + 4*-ln .5 + 2*-ln .25) / (1+4+2)
    assert out["spinal"] == pytest.approx((0.22314355 + 2.77258872 + 2.77258872) / 7, abs=1e-7)
    assert out["foraminal"] == pytest.approx(0.69314718, abs=1e-7)
    assert out["subarticular"] is None
    # any severe: study a label 1, p = max(.1, .5), weight 4; study b label 0, p = .25, weight 2
    assert out["anySevereSpinal"] == pytest.approx((4 * -math.log(0.5) + 2 * -math.log(0.75)) / 6, abs=1e-7)
    assert out["score"] == pytest.approx((0.82404586 + 0.69314718 + 0.55799214) / 3, abs=1e-7)
    assert out["rows"] == 4


def test_probabilities_are_clipped_then_renormalised() -> None:
    # scikit-learn's order (the seed's metric): 2.0 and 1.0 are clipped to 1 - eps first, then the triple sums to 1.
    assert weighted_log_loss(np.array([1]), np.array([[2.0, 1.0, 1.0]]), np.array([2.0])) == pytest.approx(
        -math.log(1 / 3))
    assert weighted_log_loss(np.array([1]), np.array([[0.4, 0.2, 0.2]]), np.array([2.0])) == pytest.approx(
        -math.log(0.25))
    # a zero probability on the true class is clipped to eps instead of giving infinity
    loss = weighted_log_loss(np.array([1]), np.array([[1.0, 0.0, 0.0]]), np.array([1.0]))
    assert loss == pytest.approx(-math.log(EPS), rel=1e-6)


def test_all_four_parts_and_unweighted_mean() -> None:
    rows = [ScoredRow("x", S, "L1_L2", 2, (0.0, 0.0, 1.0)),
            ScoredRow("x", F, "L1_L2", 0, (1 / 3, 1 / 3, 1 / 3)),
            ScoredRow("x", A, "L1_L2", 1, (0.25, 0.5, 0.25))]
    out = competition_score(rows)
    assert out["spinal"] == pytest.approx(0.0, abs=1e-12)
    assert out["anySevereSpinal"] == pytest.approx(0.0, abs=1e-12)
    assert out["foraminal"] == pytest.approx(math.log(3))
    assert out["subarticular"] == pytest.approx(math.log(2))
    assert out["score"] == pytest.approx((math.log(3) + math.log(2)) / 4)
