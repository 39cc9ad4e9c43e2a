"""What a card's ATR says about the link: whether it accepts extended-length APDUs (ISO 7816-4 card capabilities)."""

from __future__ import annotations


def historical_bytes(atr: bytes) -> bytes:
    """The historical bytes of an ATR (after TS, T0 and the interface bytes); empty when the ATR is malformed."""
    if len(atr) < 2:
        return b""
    count = atr[1] & 0x0F
    indicator, i = atr[1], 2
    while True:
        present = bin(indicator >> 4).count("1")
        has_next = bool(indicator & 0x80)
        i += present
        if not has_next:
            break
        if i - 1 >= len(atr):
            return b""
        indicator = atr[i - 1]
    return atr[i : i + count] if i + count <= len(atr) else b""


def offers_extended_length(atr: bytes) -> bool:
    """True when the card-capabilities object (compact-TLV tag 7, third byte, bit 0x40) announces extended Lc/Le."""
    history = historical_bytes(atr)
    if not history or history[0] != 0x80:  # only the compact-TLV category indicator carries capabilities
        return False
    i = 1
    while i < len(history):
        tag, length = history[i] >> 4, history[i] & 0x0F
        value = history[i + 1 : i + 1 + length]
        if tag == 0x7 and len(value) >= 3:
            return bool(value[2] & 0x40)
        i += 1 + length
    return False
