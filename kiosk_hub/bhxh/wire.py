"""The gateway's wire format (field names as the gateway spells them) for the token and the card check."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

TOKEN_PATH = "/api/token/take"  # noqa: S105 - a URL path, not a secret
CARD_CHECK_PATH = "/api/egw/KQNhanLichSuKCB2024"
# The check-in table (XML0) of QĐ 4750 as amended by QĐ 3176; the 4750-era path was /api/qd130/checkInKcbQd4750.
CHECKIN_PATH = "/api/qd130/checkInKcbQd3176"
CHECKIN_ACCEPTED = "Tiếp nhận thành công"
GATEWAY_DATE = "%d/%m/%Y"


class GatewayModel(BaseModel):
    # The gateway adds fields over time; unknown ones are kept, never a reason to fail.
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class TokenRequest(GatewayModel):
    username: str
    password: str  # MD5 hex of the facility password


class ApiKey(GatewayModel):
    access_token: str
    id_token: str
    token_type: str | None = None
    username: str | None = None
    expires_in: str | None = None  # an ISO moment in the answers seen


class TokenAnswer(GatewayModel):
    maKetQua: str  # noqa: N815 - the gateway's field name
    APIKey: ApiKey | None = None


class CardQuery(GatewayModel):
    maThe: str  # noqa: N815
    hoTen: str  # noqa: N815
    ngaySinh: str  # noqa: N815 - dd/MM/yyyy or yyyy
    hoTenCb: str  # noqa: N815 - the lookup officer registered with BHXH
    cccdCb: str  # noqa: N815


class CardAnswer(GatewayModel):
    maKetQua: str  # noqa: N815
    ghiChu: str | None = None  # noqa: N815
    maThe: str | None = None  # noqa: N815
    hoTen: str | None = None  # noqa: N815
    ngaySinh: str | None = None  # noqa: N815
    gioiTinh: str | None = None  # noqa: N815
    diaChi: str | None = None  # noqa: N815
    maDKBD: str | None = None  # noqa: N815
    gtTheTu: str | None = None  # noqa: N815
    gtTheDen: str | None = None  # noqa: N815
    maKV: str | None = None  # noqa: N815
    ngayDu5Nam: str | None = None  # noqa: N815
    maSoBHXH: str | None = None  # noqa: N815
    maTheCu: str | None = None  # noqa: N815
    maTheMoi: str | None = None  # noqa: N815
    gtTheTuMoi: str | None = None  # noqa: N815
    gtTheDenMoi: str | None = None  # noqa: N815
    maDKBDMoi: str | None = None  # noqa: N815
    tenDKBDMoi: str | None = None  # noqa: N815
    dsLichSuKCB2018: list[dict[str, Any]] | None = Field(default=None)  # noqa: N815 - visit history


class CheckInAnswer(GatewayModel):
    """The gateway's receipt for a check-in file: keep maGiaoDich to reconcile (its portal shows 60 days)."""

    maKetQua: str  # noqa: N815
    maGiaoDich: str | None = None  # noqa: N815
    thoiGianTiepNhan: str | None = None  # noqa: N815 - yyyyMMddHHmmss
    thongDiep: str | None = None  # noqa: N815 - the message; errors are listed here

    @property
    def accepted(self) -> bool:
        return self.maKetQua == "200" and (self.thongDiep or "").strip() in ("", CHECKIN_ACCEPTED)
