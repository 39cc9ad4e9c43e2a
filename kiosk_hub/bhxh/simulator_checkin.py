"""The loopback gateway's side of the check-in submission: form fields, the base64 XML0 file, the receipt.

It checks the file's shape independently of the hub's builder (root, list, the 26 elements in the table's order,
the facility code matching the form) and answers the gateway's receipt or its refusal.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from kiosk_hub.bhxh.wire import CHECKIN_ACCEPTED

ELEMENTS = [
    "MA_LK", "STT", "MA_BN", "HO_TEN", "SO_CCCD", "NGAY_SINH", "GIOI_TINH", "MA_THE_BHYT", "MA_DKBD", "GT_THE_TU",
    "GT_THE_DEN", "MA_DOITUONG_KCB", "NGAY_VAO", "NGAY_VAO_NOI_TRU", "LY_DO_VNT", "MA_LY_DO_VNT", "MA_LOAI_KCB",
    "MA_CSKCB", "MA_DICH_VU", "TEN_DICH_VU", "MA_THUOC", "TEN_THUOC", "MA_VAT_TU", "TEN_VAT_TU", "NGAY_YL", "DU_PHONG",
]  # fmt: skip


def _refuse(message: str) -> dict[str, Any]:
    return {"maKetQua": "205", "maGiaoDich": None, "thoiGianTiepNhan": None, "thongDiep": message}


def receive_checkin(store: list[dict[str, str]], username: str, form: dict[str, str]) -> dict[str, Any]:
    if form.get("username") != username or form.get("loaiHoSo") != "0":
        return _refuse("Sai tài khoản hoặc loại hồ sơ")
    try:
        root = ET.fromstring(base64.b64decode(form.get("fileHSBase64", ""), validate=True))  # noqa: S314 - our own test peer
    except (binascii.Error, ET.ParseError):
        return _refuse("Tệp hồ sơ không đọc được")
    rows = root.findall("./DSACH_TRANG_THAI_KCB/TRANG_THAI_KCB")
    if root.tag != "CHI_TIEU_TRANG_THAI_KCB" or len(rows) != 1 or root.find("CHUKYDONVI") is None:
        return _refuse("Sai cấu trúc tệp XML0")
    (row,) = rows
    if [child.tag for child in row] != ELEMENTS:
        return _refuse("Sai thứ tự hoặc thiếu chỉ tiêu")
    record = {child.tag: child.text or "" for child in row}
    if record["MA_CSKCB"] != form.get("maCSKCB") or not record["MA_LK"]:
        return _refuse("MA_CSKCB hoặc MA_LK không hợp lệ")
    store.append(record)
    return {
        "maKetQua": "200",
        "maGiaoDich": secrets.token_hex(8).upper(),
        "thoiGianTiepNhan": datetime.now(UTC).strftime("%Y%m%d%H%M%S"),
        "thongDiep": CHECKIN_ACCEPTED,
    }
