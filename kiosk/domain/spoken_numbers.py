"""Numbers as words, so the voice says a queue number or a room the way a Vietnamese patient expects to hear it.

espeak-ng reads digits itself, but not always as a person would ("0012", "101" digit by digit or with the wrong
linking word); the kiosk decides: "mười hai", "một trăm linh một", "hai mươi mốt", "hai mươi lăm".
Northern usage (linh, nghìn), as in the national standard broadcasts.
"""

from __future__ import annotations

import re

_DIGITS_VI = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_DIGITS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS_EN = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen")
_TENS_EN = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_GROUPS_VI = ("", "nghìn", "triệu", "tỷ")
_GROUPS_EN = ("", "thousand", "million", "billion")
_NUMBER = re.compile(r"\d+")


def _groups(n: int) -> list[int]:
    """Thousands groups, lowest first: 1234567 → [567, 234, 1]."""
    groups: list[int] = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    return groups


def _tens_vi(n: int) -> list[str]:
    """0 < n < 100, as it is said after a hundred or alone."""
    tens, unit = divmod(n, 10)
    if tens == 0:
        return [_DIGITS_VI[unit]]
    words = ["mười"] if tens == 1 else [_DIGITS_VI[tens], "mươi"]
    if unit == 1 and tens > 1:
        words.append("mốt")
    elif unit == 5:
        words.append("lăm")
    elif unit == 4 and tens > 1:
        words.append("tư")
    elif unit:
        words.append(_DIGITS_VI[unit])
    return words


def _hundreds_vi(n: int, full: bool) -> list[str]:
    """0 ≤ n < 1000; `full` when a larger group comes before it (then "không trăm linh" is said)."""
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS_VI[hundreds], "trăm"]
    if rest:
        if rest < 10 and words:
            words.append("linh")
        words += _tens_vi(rest)
    return words


def vietnamese_number(n: int) -> str:
    """An integer in words, e.g. 105 → "một trăm linh năm", 1021 → "một nghìn không trăm hai mươi mốt"."""
    if n < 0:
        return "âm " + vietnamese_number(-n)
    if n == 0:
        return _DIGITS_VI[0]
    groups = _groups(n)
    if len(groups) > len(_GROUPS_VI):
        return spell_digits(str(n), "vi")
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words += _hundreds_vi(group, full=bool(words))
        if _GROUPS_VI[index]:
            words.append(_GROUPS_VI[index])
    return " ".join(words)


def _hundreds_en(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [_DIGITS_EN[hundreds], "hundred"] if hundreds else []
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        words.append(_TENS_EN[tens] + (f"-{_DIGITS_EN[unit]}" if unit else ""))
    elif rest >= 10:
        words.append(_TEENS_EN[rest - 10] if rest < 19 else "nineteen")
    elif rest:
        words.append(_DIGITS_EN[rest])
    return words


def english_number(n: int) -> str:
    if n < 0:
        return "minus " + english_number(-n)
    if n == 0:
        return "zero"
    groups = _groups(n)
    if len(groups) > len(_GROUPS_EN):
        return spell_digits(str(n), "en")
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        if groups[index]:
            words += _hundreds_en(groups[index]) + ([_GROUPS_EN[index]] if _GROUPS_EN[index] else [])
    return " ".join(words)


def number_words(n: int, language: str) -> str:
    return english_number(n) if language == "en" else vietnamese_number(n)


def spell_digits(text: str, language: str) -> str:
    """Digit by digit, for codes that are not amounts (the last four of an ID, a phone number)."""
    table = _DIGITS_EN if language == "en" else _DIGITS_VI
    return " ".join(table[int(c)] for c in text if c.isdigit())


def numbers_as_words(text: str, language: str) -> str:
    """Every run of digits in `text` said as a number: "Phòng 101" → "Phòng một trăm linh một"."""
    return _NUMBER.sub(lambda m: number_words(int(m.group()), language), text)
