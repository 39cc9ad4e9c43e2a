"""The data groups of the CCCD's logical data structure (ICAO 9303-10): EF.COM, DG1 (MRZ), DG13 (Vietnamese personal
data, by field number) and DG2 (face image record). Every failure is a `ChipError(BAD_DATA)`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum

from kiosk.domain.errors import DomainParseError
from kiosk.domain.mrz import Td1Mrz, parse_td1
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode

_UNIVERSAL, _APPLICATION = 0, 1
_CONSTRUCTED = 1
_INTEGER, _SET = 2, 17
_STRING_TAGS = {12, 19, 20, 22, 26, 30}  # UTF8, Printable, Teletex, IA5, Visible, BMP strings
_MAX_DEPTH = 8


class DataGroup(IntEnum):
    """LDS files the kiosk reads, by data group number (EF.COM and EF.SOD are not data groups: see `LdsFile`)."""

    DG1 = 1
    DG2 = 2
    DG13 = 13
    DG14 = 14  # SecurityInfos: the chip authentication key
    DG15 = 15  # the active authentication public key


@dataclass(frozen=True, slots=True)
class LdsFile:
    """An elementary file of the eMRTD application: file identifier, short file identifier, outer tag."""

    name: str
    fid: int
    sfi: int
    tag: int


EF_COM = LdsFile("EF.COM", 0x011E, 0x1E, 0x60)
EF_SOD = LdsFile("EF.SOD", 0x011D, 0x1D, 0x77)
DG_FILES: dict[DataGroup, LdsFile] = {
    DataGroup.DG1: LdsFile("DG1", 0x0101, 0x01, 0x61),
    DataGroup.DG2: LdsFile("DG2", 0x0102, 0x02, 0x75),
    DataGroup.DG13: LdsFile("DG13", 0x010D, 0x0D, 0x6D),
    DataGroup.DG14: LdsFile("DG14", 0x010E, 0x0E, 0x6E),
    DataGroup.DG15: LdsFile("DG15", 0x010F, 0x0F, 0x6F),
}
_TAG_TO_DG = {f.tag: dg for dg, f in DG_FILES.items()}


@dataclass(frozen=True, slots=True)
class _Element:
    cls: int
    constructed: bool
    tag: int
    contents: bytes


def _elements(data: bytes) -> Iterator[_Element]:
    """BER-TLV as ISO 7816-4 writes it. Hand-written because ICAO's EF.COM uses tag 5F01, a long-form tag below 31
    that strict DER parsers (asn1crypto's included) refuse."""
    pointer, end = 0, len(data)
    while pointer < end:
        first = data[pointer]
        tag, pointer = first & 0x1F, pointer + 1
        if tag == 0x1F:
            tag = 0
            while True:
                if pointer >= end or tag > 0xFFFF:
                    raise ChipError(ChipErrorCode.BAD_DATA, "truncated tag")
                byte, pointer = data[pointer], pointer + 1
                tag = tag << 7 | byte & 0x7F
                if not byte & 0x80:
                    break
        if pointer >= end:
            raise ChipError(ChipErrorCode.BAD_DATA, "missing length")
        length, pointer = data[pointer], pointer + 1
        if length & 0x80:
            width = length & 0x7F
            if width == 0 or width > 3 or pointer + width > end:
                raise ChipError(ChipErrorCode.BAD_DATA, "bad length")
            length, pointer = int.from_bytes(data[pointer : pointer + width], "big"), pointer + width
        if pointer + length > end:
            raise ChipError(ChipErrorCode.BAD_DATA, "value runs past the end")
        yield _Element(first >> 6, bool(first & 0x20), tag, data[pointer : pointer + length])
        pointer += length


def unwrap_file(data: bytes, expected_tag: int) -> bytes:
    """The value of an LDS file's outer TLV, checking its tag byte."""
    if not data or data[0] != expected_tag:
        raise ChipError(ChipErrorCode.BAD_DATA, f"expected tag {expected_tag:02X}")
    first = next(_elements(data))
    return first.contents


def total_length(head: bytes) -> int:
    """Length of a whole TLV (header included) from its first bytes; raises BAD_DATA if the header is incomplete."""
    if len(head) < 2:
        raise ChipError(ChipErrorCode.BAD_DATA, "file header too short")
    first = head[1]
    if first < 0x80:
        return 2 + first
    width = first & 0x7F
    if width == 0 or width > 3 or len(head) < 2 + width:
        raise ChipError(ChipErrorCode.BAD_DATA, "bad file length")
    return 2 + width + int.from_bytes(head[2 : 2 + width], "big")


def parse_ef_com(data: bytes) -> frozenset[DataGroup]:
    """The data groups EF.COM lists as present (only those the kiosk knows)."""
    for element in _elements(unwrap_file(data, EF_COM.tag)):
        if element.cls == _APPLICATION and element.tag == 28:  # 5C: the tag list
            return frozenset(_TAG_TO_DG[t] for t in element.contents if t in _TAG_TO_DG)
    raise ChipError(ChipErrorCode.BAD_DATA, "EF.COM has no tag list")


def parse_dg1(data: bytes) -> Td1Mrz:
    """DG1: the MRZ (tag 5F1F) of a TD1 card."""
    for element in _elements(unwrap_file(data, DG_FILES[DataGroup.DG1].tag)):
        if element.cls == _APPLICATION and element.tag == 31:  # 5F1F
            try:
                return parse_td1(element.contents.decode("ascii"))
            except (UnicodeDecodeError, DomainParseError) as exc:
                raise ChipError(ChipErrorCode.BAD_DATA, "DG1 MRZ") from exc
    raise ChipError(ChipErrorCode.BAD_DATA, "DG1 has no MRZ")


def _leaves(elements: Iterable[_Element], depth: int = 0) -> Iterator[str]:
    """Every string in nested SEQUENCEs, in order (parents' names sit one or two levels deep)."""
    if depth > _MAX_DEPTH:
        raise ChipError(ChipErrorCode.BAD_DATA, "DG13 nested too deep")
    for element in elements:
        if element.constructed:
            yield from _leaves(_elements(element.contents), depth + 1)
        elif element.cls == _UNIVERSAL and element.tag in _STRING_TAGS:
            yield _decode_string(element)


def _decode_string(element: _Element) -> str:
    encoding = "utf-16-be" if element.tag == 30 else "utf-8"
    try:
        return element.contents.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ChipError(ChipErrorCode.BAD_DATA, "DG13 text") from exc


def _find_set(data: bytes, depth: int = 0) -> bytes | None:
    for element in _elements(data):
        if element.cls == _UNIVERSAL and element.tag == _SET and element.constructed:
            return element.contents
        if element.constructed and depth < 2:
            found = _find_set(element.contents, depth + 1)
            if found is not None:
                return found
    return None


def parse_dg13(data: bytes) -> dict[int, list[str]]:
    """DG13 as {field number: its strings in order}. Parsed by number, never by position; absent fields are absent.

    Layout: 6D{ 30{ INTEGER 1, OID, 31{ 30{ INTEGER n, value } … } } }; a value is a string or
    nested SEQUENCEs of strings (father, mother, spouse).
    """
    entries = _find_set(unwrap_file(data, DG_FILES[DataGroup.DG13].tag))
    if entries is None:
        raise ChipError(ChipErrorCode.BAD_DATA, "DG13 has no field set")
    fields: dict[int, list[str]] = {}
    for entry in _elements(entries):
        if not entry.constructed:
            continue
        children = iter(_elements(entry.contents))
        number = next(children, None)
        if number is None or number.cls != _UNIVERSAL or number.tag != _INTEGER or not 0 < len(number.contents) <= 2:
            raise ChipError(ChipErrorCode.BAD_DATA, "DG13 field without a number")
        fields[int.from_bytes(number.contents, "big")] = list(_leaves(children))
    return fields


def parse_dg2_face(data: bytes) -> bytes:
    """DG2: the first face image (JPEG or JPEG 2000 bytes) of the ISO/IEC 19794-5 record inside the biometric block."""
    block = _find_biometric_block(unwrap_file(data, DG_FILES[DataGroup.DG2].tag))
    if block is None or not block.startswith(b"FAC\x00") or len(block) < 14:
        raise ChipError(ChipErrorCode.BAD_DATA, "DG2 has no facial record")
    # General header 14 bytes; facial record: block length (4), feature point count (2), 14 bytes of attributes,
    # the feature points (8 bytes each), then 12 bytes of image information before the image itself.
    try:
        block_length, points = struct.unpack_from(">IH", block, 14)
    except struct.error as exc:
        raise ChipError(ChipErrorCode.BAD_DATA, "DG2 facial record truncated") from exc
    start = 14 + 20 + 8 * points + 12
    end = 14 + block_length
    if end > len(block) or start >= end:
        raise ChipError(ChipErrorCode.BAD_DATA, "DG2 facial record length")
    return block[start:end]


def _find_biometric_block(data: bytes, depth: int = 0) -> bytes | None:
    for element in _elements(data):
        if element.cls == _APPLICATION and element.tag == 0x2E:  # 5F2E (or 7F2E): biometric data block
            return element.contents
        if element.constructed and depth < 4:
            found = _find_biometric_block(element.contents, depth + 1)
            if found is not None:
                return found
    return None
