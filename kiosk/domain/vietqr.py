"""The NAPAS VietQR payload a patient's banking app scans to pay: built, and read back to check it.

VietQR is EMVCo's merchant-presented QR (MPM): a string of TLV data objects, each `ID(2 digits) LEN(2 digits)
VALUE`, with the beneficiary inside ID 38 under the NAPAS GUID. What we write, in ascending IDs as every public
implementation does:

    00 02 01                      payload format indicator
    01 02 12                      point of initiation: 12 dynamic (amount set), 11 static
    38 LL 00 10 A000000727        NAPAS GUID
          01 LL 00 06 <BIN>       the bank (acquirer id, 6 digits)
                01 LL <account>   the hospital's account number
          02 08 QRIBFTTA          service: inter-bank transfer 24/7 to an account
    53 03 704                     currency: VND
    54 LL <amount>                whole dong, no separators
    58 02 VN                      country
    62 LL 08 LL <reference>       purpose of transaction: banks copy it into the transfer memo
    63 04 <CRC>                   CRC-16/CCITT-FALSE over everything before it, "6304" included

The reference is how the money is matched to a patient's payment, so it is kept to what every bank carries through
unchanged: upper-case ASCII letters and digits (single spaces between words), at most 25. Lengths count characters;
with ASCII-only values that is also bytes, which avoids the disagreement between implementations over non-ASCII text.
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

from kiosk.domain.errors import DomainParseError

NAPAS_GUID = "A000000727"
TO_ACCOUNT = "QRIBFTTA"
TO_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
DYNAMIC = "12"
STATIC = "11"
MAX_REFERENCE = 25
MAX_AMOUNT_DIGITS = 13
_BIN = re.compile(r"^\d{6}$")
_ACCOUNT = re.compile(r"^[0-9A-Za-z]{1,19}$")
# Words of upper-case letters and digits, single spaces between: what every bank carries into the memo unchanged.
_REFERENCE = re.compile(r"^[A-Z0-9]+( [A-Z0-9]+)*$")


class VietQrError(DomainParseError):
    """A VietQR that must not be shown or trusted; `reason` says why (stable snake_case)."""


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR): the standard library's
    `crc_hqx` started at 0xFFFF."""
    return binascii.crc_hqx(data, 0xFFFF)


@dataclass(frozen=True, slots=True)
class VietQr:
    """A transfer to one account, as the payload states it."""

    bank_bin: str
    account: str
    amount_vnd: int | None  # None: a static QR, the payer types the amount
    reference: str | None  # 62/08, the memo the bank statement shows
    service: str = TO_ACCOUNT
    bill_number: str | None = None  # 62/01, when a generator sets it

    @property
    def dynamic(self) -> bool:
        return self.amount_vnd is not None


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise VietQrError("value_too_long", tag)
    return f"{tag}{len(value):02d}{value}"


def encode_vietqr(bank_bin: str, account: str, amount_vnd: int, reference: str) -> str:
    """The dynamic VietQR for a transfer of `amount_vnd` to `account` at the bank `bank_bin`, memo `reference`."""
    if not _BIN.match(bank_bin):
        raise VietQrError("bad_bin")
    if not _ACCOUNT.match(account):
        raise VietQrError("bad_account")
    if not 0 < amount_vnd < 10**MAX_AMOUNT_DIGITS:
        raise VietQrError("bad_amount")
    if len(reference) > MAX_REFERENCE or not _REFERENCE.match(reference):
        raise VietQrError("bad_reference")
    beneficiary = _field("00", bank_bin) + _field("01", account)
    merchant = _field("00", NAPAS_GUID) + _field("01", beneficiary) + _field("02", TO_ACCOUNT)
    body = (
        _field("00", "01")
        + _field("01", DYNAMIC)
        + _field("38", merchant)
        + _field("53", CURRENCY_VND)
        + _field("54", str(amount_vnd))
        + _field("58", COUNTRY_VN)
        + _field("62", _field("08", reference))
        + "6304"
    )
    return body + f"{crc16_ccitt_false(body.encode('utf-8')):04X}"


def parse_tlv(text: str) -> dict[str, str]:
    """The data objects of one level, by ID. Any order (generators differ); a length running past the end, a
    repeated ID or a non-numeric header is refused."""
    fields: dict[str, str] = {}
    at = 0
    while at < len(text):
        tag, size = text[at : at + 2], text[at + 2 : at + 4]
        if len(size) < 2 or not (tag.isdigit() and size.isdigit()):
            raise VietQrError("bad_tlv", f"header at {at}")
        end = at + 4 + int(size)
        if end > len(text):
            raise VietQrError("bad_tlv", f"length past the end at {at}")
        if tag in fields:
            raise VietQrError("bad_tlv", f"repeated id {tag}")
        fields[tag] = text[at + 4 : end]
        at = end
    return fields


def decode_vietqr(payload: str) -> VietQr:
    """Read a VietQR back, checking its CRC, its structure and that it pays a NAPAS account in VND in Vietnam."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise VietQrError("no_crc")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('utf-8')):04X}"
    if payload[-4:].upper() != expected:
        raise VietQrError("bad_crc")
    root = parse_tlv(payload)
    if root.get("00") != "01" or root.get("01") not in (STATIC, DYNAMIC):
        raise VietQrError("not_emv_mpm")
    if root.get("53") != CURRENCY_VND or root.get("58") != COUNTRY_VN:
        raise VietQrError("not_vnd_in_vietnam")
    merchant = parse_tlv(root.get("38", ""))
    if merchant.get("00") != NAPAS_GUID or merchant.get("02") not in (TO_ACCOUNT, TO_CARD):
        raise VietQrError("not_napas")
    beneficiary = parse_tlv(merchant.get("01", ""))
    bank_bin, account = beneficiary.get("00", ""), beneficiary.get("01", "")
    if not _BIN.match(bank_bin) or not _ACCOUNT.match(account):
        raise VietQrError("bad_beneficiary")
    amount = root.get("54")
    if amount is not None and not (amount.isdigit() and 0 < len(amount) <= MAX_AMOUNT_DIGITS and int(amount) > 0):
        raise VietQrError("bad_amount")
    dynamic = root["01"] == DYNAMIC
    if dynamic != (amount is not None):
        raise VietQrError("initiation_amount_mismatch")
    extra = parse_tlv(root.get("62", ""))
    return VietQr(
        bank_bin=bank_bin,
        account=account,
        amount_vnd=int(amount) if amount is not None else None,
        reference=extra.get("08"),
        service=merchant["02"],
        bill_number=extra.get("01"),
    )


def format_vnd(amount_vnd: int) -> str:
    """`150000` → `150.000 đ`: how Vietnamese prices are written (dot between thousands)."""
    return f"{amount_vnd:,}".replace(",", ".") + " đ"
