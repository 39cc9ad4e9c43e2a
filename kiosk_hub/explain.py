"""Validation errors in words hospital IT reads: Vietnamese and English, from pydantic's error types and context.

pydantic's own messages are English only; the console's Vietnamese pages and the import command's report must not
fall back to them. Our validators raise `PydanticCustomError` with a type from `CUSTOM` (or ctx `vi` and `en`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class Bilingual:
    vi: str
    en: str

    def pick(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


# pydantic error type → (Vietnamese, English) templates over the error's ctx.
BUILT_IN: dict[str, tuple[str, str]] = {
    "missing": ("bắt buộc, đang thiếu", "is required"),
    "extra_forbidden": ("không có mục này", "is not a known field"),
    "string_type": ("phải là chữ", "must be text"),
    "string_too_long": ("dài quá {max_length} ký tự", "is longer than {max_length} characters"),
    "string_pattern_mismatch": ("không đúng dạng", "is not in the expected form"),
    "int_type": ("phải là số nguyên", "must be a whole number"),
    "int_parsing": ("phải là số nguyên", "must be a whole number"),
    "int_from_float": ("phải là số nguyên", "must be a whole number"),
    "bool_type": ("phải là có hoặc không", "must be yes or no"),
    "bool_parsing": ("phải là có hoặc không (1 hoặc 0)", "must be yes or no (1 or 0)"),
    "greater_than_equal": ("phải từ {ge} trở lên", "must be {ge} or more"),
    "less_than_equal": ("phải từ {le} trở xuống", "must be {le} or less"),
    "greater_than": ("phải lớn hơn {gt}", "must be more than {gt}"),
    "less_than": ("phải nhỏ hơn {lt}", "must be less than {lt}"),
    "literal_error": ("phải là một trong: {expected}", "must be one of: {expected}"),
    "enum": ("phải là một trong: {expected}", "must be one of: {expected}"),
    "list_type": ("phải là một danh sách", "must be a list"),
    "dict_type": ("phải là một nhóm giá trị", "must be an object"),
    "model_type": ("phải là một nhóm giá trị", "must be an object"),
    "model_attributes_type": ("phải là một nhóm giá trị", "must be an object"),
}
# Our own validators' error types.
CUSTOM: dict[str, tuple[str, str]] = {
    "vietnamese_required": ("tiếng Việt phải luôn có", "Vietnamese must stay available"),
    "not_a_certificate": ("phải là chứng thư dạng PEM", "must be a PEM certificate"),
}


def explain(error: ErrorDetails) -> Bilingual:
    """The error in both languages; ctx `vi`/`en` (from our validators) win over the tables."""
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if "vi" in ctx and "en" in ctx:
        return Bilingual(str(ctx["vi"]), str(ctx["en"]))
    kind = error["type"]
    if kind == "string_too_short":
        if ctx.get("min_length", 1) == 1:
            return Bilingual("không được để trống", "must not be empty")
        return Bilingual(f"ngắn hơn {ctx['min_length']} ký tự", f"is shorter than {ctx['min_length']} characters")
    if kind == "too_short":
        return Bilingual(f"cần ít nhất {ctx.get('min_length')} mục", f"needs at least {ctx.get('min_length')} items")
    if kind == "too_long":
        return Bilingual(f"nhiều nhất {ctx.get('max_length')} mục", f"takes at most {ctx.get('max_length')} items")
    templates = CUSTOM.get(kind) or BUILT_IN.get(kind)
    if templates is None:
        # An error type nobody translated yet: say so in Vietnamese rather than show English alone.
        return Bilingual(f"không hợp lệ ({kind})", f"is not valid ({error['msg']})")
    values = {key: _plain(value) for key, value in ctx.items()}
    vi_values = {key: value.replace(" or ", " hoặc ") for key, value in values.items()}
    return Bilingual(templates[0].format(**vi_values), templates[1].format(**values))


def _plain(value: object) -> str:
    return str(value).replace("'", "")


def field_path(loc: tuple[int | str, ...]) -> str:
    """`rooms[1].name_vi` for ("rooms", 1, "name_vi")."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path
