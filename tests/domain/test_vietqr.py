"""The VietQR encoder and reader against public worked strings (NAPAS's own examples among them), an independent
encoder (PyPI `vietnam-qr-pay`) and a real decoder: the symbol segno draws, read back by zxing-cpp."""

from __future__ import annotations

import pytest
import segno
import zxingcpp
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image
from vietnam_qr_pay import QRPay

from kiosk.domain.vietqr import (
    TO_ACCOUNT,
    VietQr,
    VietQrError,
    crc16_ccitt_false,
    decode_vietqr,
    encode_vietqr,
    format_vnd,
    parse_tlv,
)
from tests.domain.strategies import FAST

# NAPAS's dynamic example (to an account, with a bill number and a purpose); quoted in binhnguyenduc/vietqr-ts
# tests/compliance/napas-dynamic-account.test.ts.
NAPAS_DYNAMIC = (
    "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN"
    "62340107NPS68690819thanh toan don hang63042E2E"
)
NAPAS_STATIC_CARD = "00020101021138600010A00000072701300006970403011697040311012345670208QRIBFTTC53037045802VN63044F52"
# NAPAS's static example as printed has a nested length of 12 for a 13-character account; its CRC matches the
# malformed string, so only the structure check can catch it.
NAPAS_STATIC_TYPO = "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304F4E5"
# giautm/emvqr-go emvqr_test.go: ID 62 before ID 38 (EMVCo fixes only the first and the last field).
OUT_OF_ORDER = (
    "00020101021262110807tien le38560010A0000007270126000697041501121133666688880208QRIBFTTA530370454046000"
    "5802VN63046893"
)
# A payment request's answer from a real API (finan.readme.io), with a merchant name (ID 59) no generator writes.
WITH_MERCHANT_NAME = (
    "00020101021238590010A0000007270129000697042401151AM0025000002390208QRIBFTTA53037045405123455802VN"
    "5908MBCHILDB62290825[Open API] test payment M6304F205"
)
# VNPAY-QR: EMVCo too, but its GUID sits in ID 26: not a NAPAS transfer.
VNPAY_MERCHANT = (
    "00020101021126280010A0000007750110010531314453037045408210900005802VN5910CELLPHONES62600312CPSHN ONLINE"
    "0517021908061613127850705ONLHN0810CellphoneS63047685"
)


# Hospital-style transfers (real BINs, invented accounts), each also made by PyPI `vietnam-qr-pay` byte for byte;
# the last is the `qrCode` of the payOS answer worked in docs/payment.md.
WORKED = [
    (
        "970436",
        "0011004123456",
        150000,
        "KHAM BV123456",
        "00020101021238570010A00000072701270006970436011300110041234560208QRIBFTTA530370454061500005802VN"
        "62170813KHAM BV1234566304F6A8",
    ),
    (
        "970418",
        "21510001234567",
        35000,
        "HOSP A1B2C3D4",
        "00020101021238580010A000000727012800069704180114215100012345670208QRIBFTTA53037045405350005802VN"
        "62170813HOSP A1B2C3D46304AF30",
    ),
    (
        "970422",
        "0123456789",
        150000,
        "KB250101000123",
        "00020101021238540010A00000072701240006970422011001234567890208QRIBFTTA530370454061500005802VN"
        "62180814KB25010100012363044D88",
    ),
]


@pytest.mark.parametrize(("bank_bin", "account", "amount", "reference", "payload"), WORKED)
def test_encoding_matches_the_worked_strings(
    bank_bin: str, account: str, amount: int, reference: str, payload: str
) -> None:
    assert encode_vietqr(bank_bin, account, amount, reference) == payload
    assert decode_vietqr(payload) == VietQr(bank_bin, account, amount, reference)


def test_the_crc_is_ccitt_false() -> None:
    assert f"{crc16_ccitt_false(b'123456789'):04X}" == "29B1"  # the catalogue's check value


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (NAPAS_DYNAMIC, VietQr("970403", "0011012345678", 180000, "thanh toan don hang", bill_number="NPS6869")),
        (NAPAS_STATIC_CARD, VietQr("970403", "9704031101234567", None, None, service="QRIBFTTC")),
        (OUT_OF_ORDER, VietQr("970415", "113366668888", 6000, "tien le")),
        (WITH_MERCHANT_NAME, VietQr("970424", "1AM002500000239", 12345, "[Open API] test payment M")),
    ],
)
def test_public_payloads_are_read(payload: str, expected: VietQr) -> None:
    assert decode_vietqr(payload) == expected


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (NAPAS_DYNAMIC.replace("thanh toan", "thanh xoan"), "bad_crc"),
        (NAPAS_STATIC_TYPO, "bad_tlv"),
        (VNPAY_MERCHANT, "not_napas"),
        (NAPAS_DYNAMIC[:-8], "no_crc"),
        ("", "no_crc"),
    ],
)
def test_payloads_that_must_not_be_trusted(payload: str, reason: str) -> None:
    with pytest.raises(VietQrError) as refused:
        decode_vietqr(payload)
    assert refused.value.reason == reason


def test_a_small_crc_keeps_its_leading_zeros() -> None:
    # A reference whose payload CRC is below 0x1000: written as 4 hex digits, and read back.
    found = None
    for n in range(2000):
        payload = encode_vietqr("970422", "0123456789", 150000, f"KB{n}")
        if int(payload[-4:], 16) < 0x1000:
            found = payload
            break
    assert found is not None
    assert found[-4] == "0"
    assert decode_vietqr(found).reference is not None


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("97042", "0123456789", 1000, "KB1"), "bad_bin"),
        (("970422", "0123-456", 1000, "KB1"), "bad_account"),
        (("970422", "0123456789", 0, "KB1"), "bad_amount"),
        (("970422", "0123456789", 1000, "kb1"), "bad_reference"),  # banks may upper-case it: we write it so
        (("970422", "0123456789", 1000, "K" * 26), "bad_reference"),
        (("970422", "0123456789", 1000, " KB1"), "bad_reference"),
        (("970422", "0123456789", 1000, "KHÁM"), "bad_reference"),
    ],
)
def test_what_is_not_encoded(args: tuple[str, str, int, str], reason: str) -> None:
    with pytest.raises(VietQrError) as refused:
        encode_vietqr(*args)
    assert refused.value.reason == reason


banks = st.sampled_from(["970436", "970418", "970415", "970405", "970422", "970407", "970437", "970403"])
accounts = st.text(alphabet="0123456789", min_size=6, max_size=19)
amounts = st.integers(min_value=1, max_value=10**13 - 1)
references = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=25)


@FAST
@given(banks, accounts, amounts, references)
@example("970422", "0123456789", 150000, "KB250101000123")
def test_our_encoder_agrees_with_an_independent_one(bank_bin: str, account: str, amount: int, reference: str) -> None:
    ours = encode_vietqr(bank_bin, account, amount, reference)
    theirs = QRPay.init_viet_qr(bank_bin=bank_bin, bank_number=account, amount=str(amount), purpose=reference).build()
    assert ours == theirs
    assert decode_vietqr(ours) == VietQr(bank_bin, account, amount, reference, TO_ACCOUNT)


def _read_back(payload: str) -> list[zxingcpp.Result]:
    symbol = segno.make_qr(payload, error="m", mode="byte")
    assert symbol.mode == "byte"
    assert not symbol.is_micro
    matrix = [[0 if dark else 255 for dark in row] for row in symbol.matrix]
    quiet, scale = 4, 6
    side = (len(matrix) + 2 * quiet) * scale
    image = Image.new("L", (side, side), 255)
    pixels = image.load()
    for y, row in enumerate(matrix):
        for x, value in enumerate(row):
            for dy in range(scale):
                for dx in range(scale):
                    pixels[(x + quiet) * scale + dx, (y + quiet) * scale + dy] = value  # type: ignore[index]
    return list(zxingcpp.read_barcodes(image))


@FAST
@given(banks, accounts, st.integers(min_value=1000, max_value=99_999_999), references)
def test_the_symbol_decodes_to_every_field(bank_bin: str, account: str, amount: int, reference: str) -> None:
    payload = encode_vietqr(bank_bin, account, amount, reference)
    (result,) = _read_back(payload)
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    assert result.text == payload
    fields = parse_tlv(result.text)
    assert (fields["00"], fields["01"], fields["53"], fields["54"], fields["58"]) == (
        "01",
        "12",
        "704",
        str(amount),
        "VN",
    )
    merchant = parse_tlv(fields["38"])
    assert (merchant["00"], merchant["02"]) == ("A000000727", "QRIBFTTA")
    assert parse_tlv(merchant["01"]) == {"00": bank_bin, "01": account}
    assert parse_tlv(fields["62"]) == {"08": reference}
    assert fields["63"] == f"{crc16_ccitt_false(result.text[:-4].encode()):04X}"
    assert list(fields) == ["00", "01", "38", "53", "54", "58", "62", "63"]  # ascending, the CRC last


REASONS = {
    "no_crc",
    "bad_crc",
    "bad_tlv",
    "not_emv_mpm",
    "not_vnd_in_vietnam",
    "not_napas",
    "bad_beneficiary",
    "bad_amount",
    "initiation_amount_mismatch",
}


@given(st.one_of(st.text(max_size=300), st.sampled_from([p for *_, p in WORKED]).map(lambda p: p[:-4] + "0000")))
@FAST
def test_reading_anything_either_answers_or_refuses(text: str) -> None:
    reason = None
    try:
        decode_vietqr(text)
    except VietQrError as refused:
        reason = refused.reason
    assert reason is None or reason in REASONS


def test_amounts_are_written_the_vietnamese_way() -> None:
    assert format_vnd(150000) == "150.000 đ"
    assert format_vnd(1_234_567) == "1.234.567 đ"
    assert format_vnd(500) == "500 đ"
