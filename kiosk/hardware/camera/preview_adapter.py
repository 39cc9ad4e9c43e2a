"""The scan screen's preview: the frame scaled down, in RGB, with every found code outlined in green."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from kiosk.hardware.camera.codes import FoundCode
from kiosk.hardware.camera.port import Frame, PreviewFrame

_OUTLINE_RGB = (0, 200, 0)


def make_preview(frame: Frame, codes: Sequence[FoundCode], width: int) -> PreviewFrame:
    """A `width`-pixel-wide copy; the full frame is not kept."""
    scale = width / frame.shape[1]
    height = max(1, round(frame.shape[0] * scale))
    small = cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA)
    rgb = cv2.cvtColor(small, cv2.COLOR_GRAY2RGB if small.ndim == 2 else cv2.COLOR_BGR2RGB)
    outlines = tuple(tuple((x * scale, y * scale) for x, y in code.corners) for code in codes if code.corners)
    for outline in outlines:
        points = np.array(outline, dtype=np.int32).reshape(-1, 1, 2)
        cv2.polylines(rgb, [points], isClosed=True, color=_OUTLINE_RGB, thickness=2)
    return PreviewFrame(width, height, rgb.tobytes(), outlines)
