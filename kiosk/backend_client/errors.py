"""The HIS client's errors: three classes a caller can act on (and two refinements of a refusal), each naming a
patient-facing message key."""

from __future__ import annotations


class HisError(Exception):
    """Anything that went wrong talking to the hub."""

    message_key = "hub.error"


class HisConnectionError(HisError):
    """The hub could not be reached or did not answer in time (after the retries an idempotent call gets)."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out
        self.message_key = "hub.timeout" if timed_out else "hub.unavailable"


class HisResponseError(HisError):
    """The hub answered with a problem (RFC 9457): a stable `code` and the message key it chose."""

    def __init__(self, status: int, code: str, message_key: str | None, title: str = "") -> None:
        super().__init__(f"{status} {code}: {title}")
        self.status = status
        self.code = code
        self.message_key = message_key or f"hub.{code}"


class HisAuthError(HisResponseError):
    """The kiosk's token was refused: hospital IT must enrol it again (never retried)."""


class HisRateLimitedError(HisResponseError):
    """The hub refused because this kiosk asked too often (429): the patient waits `retry_after_seconds` and tries
    again; retrying at once only extends the wait."""

    def __init__(self, code: str, message_key: str | None, title: str, retry_after_seconds: int) -> None:
        super().__init__(429, code, message_key or "hub.rate_limited", title)
        self.retry_after_seconds = retry_after_seconds
