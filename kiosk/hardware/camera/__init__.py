"""The QR camera: capture on its own thread, a measured decode pipeline, de-duplication and a low-rate preview.

Only modules with `adapter` in their name import OpenCV, pyzbar or zxing-cpp; the rest works on numpy frames.
"""
