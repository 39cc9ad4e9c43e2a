"""The thermal ticket printer: ticket layout (pure, Pillow), ESC/POS bytes, status, and the python-escpos transports.

Only modules with `adapter` in their name touch python-escpos, pyusb or pyserial.
"""
