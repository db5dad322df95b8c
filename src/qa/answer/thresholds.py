"""Every fitted constant of the answer stage, in one place, with where and how it was fitted.
"""

from __future__ import annotations

NUMERIC_MIN = 0.40  # calibrated on the three eval sets: eval/CALIBRATION.md


TEXT_MIN = 0.50


TIE_MARGIN = 0.015


SENTENCE_DENSE_WEIGHT = 0.5

