"""Calls for help from the kiosks: the patient's "Cần hỗ trợ" reaches the reception staff's page, and IT's alerts
when nobody answers."""
