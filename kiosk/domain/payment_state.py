"""Where a payment of the exam fee is: one vocabulary for the hub that keeps payments and the kiosk that waits on
them (the hub's API sends these words)."""

from __future__ import annotations

from enum import StrEnum


class PaymentState(StrEnum):
    OPENING = "opening"  # stored; the bank has not been asked yet (or its answer was lost)
    AWAITING = "awaiting"  # the QR is shown (or printed, to pay later); no money yet
    PAID = "paid"  # the bank confirmed the whole amount; the ticket is not issued yet
    TICKET_ISSUED = "ticket_issued"  # paid and the ticket exists: done
    HELD = "held"  # money came with another amount: not accepted, the desk decides (refund)
    EXPIRED = "expired"  # the kiosk's time ran out with no money; money that still comes settles it (paid late)
    ABANDONED = "abandoned"  # the patient cancelled or left; money that still comes settles it (paid late)
    FAILED = "failed"  # the bank would not open it: no QR was ever shown
    REFUND_DUE = "refund_due"  # paid, but no ticket can be issued (paid on a later day, department refused)
