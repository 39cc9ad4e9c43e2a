"""Errors the hub answers with: each has a stable code, an HTTP status and a patient-facing message key."""

from __future__ import annotations


class HubError(Exception):
    """A request the hub refuses for a reason the caller can act on (never a bug: those are 500)."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        message_key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(title)
        self.status = status
        self.code = code
        self.title = title
        self.message_key = message_key or f"hub.{code}"
        self.headers = headers or {}


def not_found(what: str) -> HubError:
    return HubError(404, f"{what}_not_found", f"No such {what.replace('_', ' ')}")


def unauthorized() -> HubError:
    return HubError(401, "unauthorized", "A valid kiosk bearer token is required", "hub.kiosk_not_enrolled")


def integration_unauthorized() -> HubError:
    return HubError(401, "unauthorized", "A valid integration credential is required")


def forbidden(title: str) -> HubError:
    return HubError(403, "forbidden", title)


def lookups_rate_limited(retry_after_seconds: int) -> HubError:
    """The kiosk's patient-lookup allowance is spent: it may look up again after `Retry-After` seconds."""
    return HubError(
        429,
        "rate_limited",
        "Too many patient lookups from this kiosk",
        headers={"Retry-After": str(retry_after_seconds)},
    )


def idempotency_key_required() -> HubError:
    return HubError(400, "idempotency_key_required", "The Idempotency-Key header is required (1-128 characters)")


def idempotency_key_reused() -> HubError:
    return HubError(409, "idempotency_key_reused", "This Idempotency-Key was used for a different request")


def patient_identity_conflict() -> HubError:
    return HubError(409, "patient_identity_conflict", "An identifier belongs to a patient with other details")


def check_in_too_early() -> HubError:
    return HubError(409, "check_in_too_early", "Check-in for this appointment has not opened yet")


def check_in_too_late() -> HubError:
    return HubError(409, "check_in_too_late", "Check-in for this appointment has closed")


def appointment_cancelled() -> HubError:
    return HubError(409, "appointment_cancelled", "This appointment was cancelled")


def ticket_not_cancellable() -> HubError:
    return HubError(409, "ticket_not_cancellable", "Only a waiting ticket can be cancelled")


def queue_empty() -> HubError:
    return HubError(409, "queue_empty", "No ticket is waiting in this department")


def identifier_required() -> HubError:
    return HubError(422, "identifier_required", "An ID number, BHXH number or BHYT code is required")


def his_unavailable() -> HubError:
    """A lookup the HIS could not answer: the kiosk registers the patient from the card and the hub queues it."""
    return HubError(404, "his_unavailable", "The hospital's HIS did not answer; register the patient to go on")


def his_refused(code: str) -> HubError:
    return HubError(409, f"his_{code}"[:64], "The hospital's HIS refused the request", "hub.his_refused")


def payments_off() -> HubError:
    return HubError(409, "payments_off", "This hub takes no payments; the fee is paid at the cashier")


def payment_not_required() -> HubError:
    return HubError(409, "payment_not_required", "Nothing is to be paid for this visit at the kiosk")


def bank_unavailable() -> HubError:
    """The payment gateway did not open the payment: the kiosk sends the patient to the cashier."""
    return HubError(503, "bank_unavailable", "The payment gateway did not answer; pay at the cashier")


def pay_later_off() -> HubError:
    return HubError(409, "pay_later_off", "This hospital takes the exam fee before the ticket")


def bad_signature() -> HubError:
    return HubError(401, "bad_signature", "The callback is not signed with the gateway's key")


def stale_callback() -> HubError:
    return HubError(400, "stale_callback", "The callback reports a transfer outside the accepted time")
