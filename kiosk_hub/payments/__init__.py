"""Paying the exam fee at the kiosk: the fee, the VietQR, the bank's confirmation, the ticket it buys, the day's
reconciliation (docs/payment.md)."""
