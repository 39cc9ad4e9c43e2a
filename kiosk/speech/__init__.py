"""Speech and the tactile keypad: the kiosk speaks what is on screen and can be driven without sight."""
