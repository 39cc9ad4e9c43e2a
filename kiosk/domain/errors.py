"""The one error the domain's parsers raise, whatever they are given."""

from __future__ import annotations


class DomainParseError(ValueError):
    """A payload, number or date the domain cannot read.

    `reason` is a stable snake_case code (e.g. "wrong_length", "bad_check_digit", "bad_date") that callers map to a
    message key; the message never contains the input, so logging the error leaks no personal data.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
