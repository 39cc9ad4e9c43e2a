"""The console's "screenshot" action: the kiosk's current screen as a small PNG in memory (never on disk).

The screens already mask ID numbers (last 4 digits) and show no card photo, so what is drawn is what may leave.
The image is shrunk and reduced to a palette until it fits the hub's action-result limit.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from kiosk.remote_config.heartbeat import screenshot_result
from kiosk.remote_config.schema import ActionResult

MAX_PNG_BYTES = 44_000  # base64 of this fits ActionResult.screenshot_png_base64 (60,000 characters)


def fit_png(image: Image.Image, max_bytes: int = MAX_PNG_BYTES) -> bytes:
    image = image.convert("RGB")
    width = min(image.width, 540)
    while True:
        height = max(1, round(image.height * width / image.width))
        small = image.resize((width, height), Image.Resampling.LANCZOS).quantize(colors=64)
        out = io.BytesIO()
        small.save(out, format="PNG", optimize=True)
        if out.tell() <= max_bytes or width <= 60:
            return out.getvalue()
        width = int(width * 0.75)


def capture(root: Any) -> ActionResult:
    """Call on the Kivy thread (the kiosk's event loop runs there). `root` is `App.root`."""
    if root is None:
        return ActionResult(ok=False, detail="no_screen")
    texture = root.export_as_image().texture
    # The widget's framebuffer texture is already top row first (checked against the drawn screen).
    return screenshot_result(fit_png(Image.frombytes("RGBA", texture.size, bytes(texture.pixels))))
