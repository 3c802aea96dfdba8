"""Names shared with the TypeScript side (src/domain/vocabulary.ts): same strings, same orders."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Final, Tuple

LEVELS: Final[Tuple[str, ...]] = ("L1_L2", "L2_L3", "L3_L4", "L4_L5", "L5_S1")
CONDITIONS: Final[Tuple[str, ...]] = (
    "SPINAL_CANAL_STENOSIS",
    "LEFT_NEURAL_FORAMINAL_NARROWING",
    "RIGHT_NEURAL_FORAMINAL_NARROWING",
    "LEFT_SUBARTICULAR_STENOSIS",
    "RIGHT_SUBARTICULAR_STENOSIS",
)
CORE_OF_CONDITION: Final[Dict[str, str]] = {
    "SPINAL_CANAL_STENOSIS": "spinal",
    "LEFT_NEURAL_FORAMINAL_NARROWING": "foraminal",
    "RIGHT_NEURAL_FORAMINAL_NARROWING": "foraminal",
    "LEFT_SUBARTICULAR_STENOSIS": "subarticular",
    "RIGHT_SUBARTICULAR_STENOSIS": "subarticular",
}
SEVERITIES: Final[Tuple[str, ...]] = ("NORMAL_MILD", "MODERATE", "SEVERE")
SEVERITY_WEIGHTS: Final[Tuple[float, float, float]] = (1.0, 2.0, 4.0)
SIDES: Final[Tuple[str, str]] = ("LEFT", "RIGHT")

# Sag T1 slice offsets from the stack middle, mm; LEFT positive, RIGHT negative (rsna2024-reference.md).
SAG_T1_KEYPOINT_OFFSET_MM: Final[float] = 16.8
SAG_T1_CLASSIFIER_OFFSET_MM: Final[Dict[str, float]] = {
    "L1_L2": 14.9, "L2_L3": 15.7, "L3_L4": 16.7, "L4_L5": 17.8, "L5_S1": 18.9,
}
ROI_MM: Final[float] = 50.0
AXIAL_MATCH_MAX_MM: Final[float] = 5.0

KEYPOINT_ROLES: Final[Tuple[str, ...]] = ("keypoints-sagittal-t2", "keypoints-sagittal-t1", "keypoints-axial")
CLASSIFIER_ROLES: Final[Tuple[str, ...]] = (
    "classifier-spinal", "classifier-foraminal", "classifier-subarticular", "classifier-global",
)
ROLES: Final[Tuple[str, ...]] = KEYPOINT_ROLES + CLASSIFIER_ROLES

# Heatmap channel order of each keypoint role.
KEYPOINT_OUTPUTS: Final[Dict[str, Tuple[str, ...]]] = {
    "keypoints-sagittal-t2": LEVELS,
    "keypoints-sagittal-t1": LEVELS,
    "keypoints-axial": SIDES,
}

# ROI kinds: one exported group each. The condition whose label the ROI carries is the one it is cropped for.
ROI_KINDS: Final[Tuple[str, ...]] = (
    "SAG_T2_SPINAL", "AXIAL_SPINAL", "SAG_T1_LEFT", "SAG_T1_RIGHT", "AXIAL_LEFT", "AXIAL_RIGHT",
)
AXIAL_ROI_KINDS: Final[Tuple[str, ...]] = ("AXIAL_SPINAL", "AXIAL_LEFT", "AXIAL_RIGHT")


@dataclass(frozen=True)
class ClassifierSpec:
    """Which ROIs a classifier sees (input slot order) and which conditions it predicts.

    A split model used for both sides (foraminal, subarticular) has one variant per side: the same network,
    one sample per (study, level, side). Each variant lists, per input slot, the ROI kind that fills it, and
    the conditions (output order) whose labels it learns.
    """

    slots: Tuple[str, ...]
    conditions_out: int
    variants: Tuple[Tuple[Tuple[str, ...], Tuple[str, ...]], ...]


CLASSIFIER_SPECS: Final[Dict[str, ClassifierSpec]] = {
    "classifier-spinal": ClassifierSpec(
        slots=("SAG_T2_SPINAL", "AXIAL_SPINAL"), conditions_out=1,
        variants=((("SAG_T2_SPINAL", "AXIAL_SPINAL"), ("SPINAL_CANAL_STENOSIS",)),)),
    "classifier-foraminal": ClassifierSpec(
        slots=("SAG_T1",), conditions_out=1,
        variants=((("SAG_T1_LEFT",), ("LEFT_NEURAL_FORAMINAL_NARROWING",)),
                  (("SAG_T1_RIGHT",), ("RIGHT_NEURAL_FORAMINAL_NARROWING",)))),
    "classifier-subarticular": ClassifierSpec(
        slots=("AXIAL_SIDE",), conditions_out=1,
        variants=((("AXIAL_LEFT",), ("LEFT_SUBARTICULAR_STENOSIS",)),
                  (("AXIAL_RIGHT",), ("RIGHT_SUBARTICULAR_STENOSIS",)))),
    "classifier-global": ClassifierSpec(
        slots=("SAG_T2_SPINAL", "SAG_T1_LEFT", "SAG_T1_RIGHT", "AXIAL_LEFT", "AXIAL_RIGHT"), conditions_out=5,
        variants=((("SAG_T2_SPINAL", "SAG_T1_LEFT", "SAG_T1_RIGHT", "AXIAL_LEFT", "AXIAL_RIGHT"), CONDITIONS),)),
}
