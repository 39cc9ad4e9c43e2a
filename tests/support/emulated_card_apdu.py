"""APDU framing for the emulated card: the ATR it announces, command APDUs parsed (short and extended length),
READ BINARY B1's offset object."""

from __future__ import annotations


def _atr(capabilities: int) -> bytes:
    # T=1 only; historical bytes: compact-TLV category 80, card capabilities (73) whose third byte's bit 0x40
    # says "extended Lc/Le supported"; TCK makes the XOR of T0..TCK zero.
    body = bytes((0x85, 0x80, 0x01, 0x80, 0x73, 0x00, 0x00, capabilities))
    check = 0
    for byte in body:
        check ^= byte
    return b"\x3b" + body + bytes((check,))


ATR_EXTENDED, ATR_SHORT = _atr(0x40), _atr(0x00)


def offset_from_do54(body: bytes) -> int | None:
    if len(body) < 3 or body[0] != 0x54 or body[1] != len(body) - 2:
        return None
    return int.from_bytes(body[2:], "big")


def parse_apdu(apdu: bytes) -> tuple[int, int, int, int, bytes, int | None, bool]:
    cla, ins, p1, p2, rest = apdu[0], apdu[1], apdu[2], apdu[3], apdu[4:]
    if not rest:
        return cla, ins, p1, p2, b"", None, False
    if len(rest) == 1:
        return cla, ins, p1, p2, b"", rest[0] or 256, False
    if rest[0] != 0:
        lc = rest[0]
        data = rest[1 : 1 + lc]
        if len(data) != lc or len(rest) > lc + 2:
            raise ValueError("bad short APDU")
        le = (rest[1 + lc] or 256) if len(rest) == lc + 2 else None
        return cla, ins, p1, p2, data, le, False
    if len(rest) == 3:
        return cla, ins, p1, p2, b"", int.from_bytes(rest[1:], "big") or 65536, True
    lc = int.from_bytes(rest[1:3], "big")
    data = rest[3 : 3 + lc]
    if len(data) != lc:
        raise ValueError("bad extended APDU")
    tail = rest[3 + lc :]
    return cla, ins, p1, p2, data, (int.from_bytes(tail, "big") or 65536) if tail else None, True
