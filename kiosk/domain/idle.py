"""How long the kiosk waits for a patient who stopped touching it before it wipes their session, in seconds.

After `idle_after_s` with no touch the screen asks "more time?"; the question stays `warning_s` before the wipe.
By the hospital's policy the question gives a patient at least 20 seconds (reading, finding a card): every place
that sets the timers (the settings file, the fleet's configuration, the flow) takes its bounds from here.
"""

from __future__ import annotations

IDLE_AFTER_S_MIN, IDLE_AFTER_S_MAX = 10, 600
WARNING_S_MIN, WARNING_S_MAX = 20, 120
