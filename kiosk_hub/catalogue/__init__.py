"""The hospital's own departments and rooms: validated records, opening hours, CSV/JSON import and export, the
console's edits. The tables stay `departments` and `rooms` (kiosk_hub/db/models.py); the queue reads them."""
