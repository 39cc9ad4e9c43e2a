"""Typed errors of the chip reader, each with a stable code (for logs and the CLI) and a message key (for the patient).

Messages never contain card data: a log line may carry the code and the status word, nothing read from the chip.
"""

from __future__ import annotations

from enum import StrEnum


class ChipErrorCode(StrEnum):
    """What went wrong, in words hospital IT can act on."""

    READER_NOT_FOUND = "reader_not_found"
    NO_CARD = "no_card"
    CARD_REMOVED = "card_removed"
    WRONG_KEY = "wrong_key"
    ACCESS_DENIED = "access_denied"
    SECURE_MESSAGING = "secure_messaging"
    NOT_VERIFIABLE = "not_verifiable"
    NOT_AN_ID_CARD = "not_an_id_card"
    BAD_DATA = "bad_data"
    CARD_ERROR = "card_error"
    TIMEOUT = "timeout"
    READER_ERROR = "reader_error"


# Message keys the screens translate (Vietnamese first, English): what the patient should do next.
MESSAGE_KEYS: dict[ChipErrorCode, str] = {
    ChipErrorCode.READER_NOT_FOUND: "chip.reader_unavailable_use_qr_or_desk",
    ChipErrorCode.NO_CARD: "chip.place_card_on_reader",
    ChipErrorCode.CARD_REMOVED: "chip.card_removed_place_again",
    ChipErrorCode.WRONG_KEY: "chip.card_details_do_not_open_card",
    ChipErrorCode.ACCESS_DENIED: "chip.card_cannot_be_read_go_to_desk",
    ChipErrorCode.SECURE_MESSAGING: "chip.card_removed_place_again",
    ChipErrorCode.NOT_VERIFIABLE: "chip.card_cannot_be_verified_go_to_desk",
    ChipErrorCode.NOT_AN_ID_CARD: "chip.not_a_citizen_id_card",
    ChipErrorCode.BAD_DATA: "chip.card_cannot_be_read_go_to_desk",
    ChipErrorCode.CARD_ERROR: "chip.card_cannot_be_read_go_to_desk",
    ChipErrorCode.TIMEOUT: "chip.card_removed_place_again",
    ChipErrorCode.READER_ERROR: "chip.reader_unavailable_use_qr_or_desk",
}

_DEFAULT_MESSAGES: dict[ChipErrorCode, str] = {
    ChipErrorCode.READER_NOT_FOUND: "no reader with the configured name",
    ChipErrorCode.NO_CARD: "no card on the reader",
    ChipErrorCode.CARD_REMOVED: "the card was removed during the read",
    ChipErrorCode.WRONG_KEY: "the access key (ID, date of birth, expiry) does not open this card",
    ChipErrorCode.ACCESS_DENIED: "the card refused access",
    ChipErrorCode.SECURE_MESSAGING: "secure messaging failed",
    ChipErrorCode.NOT_VERIFIABLE: "a data group does not match the card's security object",
    ChipErrorCode.NOT_AN_ID_CARD: "the card has no eMRTD application",
    ChipErrorCode.BAD_DATA: "the card returned data that cannot be parsed",
    ChipErrorCode.CARD_ERROR: "the card answered with an unexpected status",
    ChipErrorCode.TIMEOUT: "the card did not answer in time",
    ChipErrorCode.READER_ERROR: "the reader or the PC/SC service failed",
}


class ChipError(Exception):
    """Any failure reading the chip. `code` is stable; `message_key` tells the patient what to do."""

    def __init__(self, code: ChipErrorCode, detail: str | None = None) -> None:
        self.code = code
        self.message_key = MESSAGE_KEYS[code]
        self.message = _DEFAULT_MESSAGES[code] + (f" ({detail})" if detail else "")
        super().__init__(self.message)


class StatusWordError(ChipError):
    """The card answered a command with a status word other than success."""

    def __init__(self, code: ChipErrorCode, sw: int, command: str) -> None:
        self.sw = sw
        super().__init__(code, f"{command}: SW {sw:04X}")
