"""A loopback BHXH gateway for development and tests: the same wire format, scripted answers and faults.

It answers every maKetQua through the demo cards, checks the token, the MD5 password and the lookup officer
like the real gateway, and can be slow, down (HTTP 500), or expire all tokens at once.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from kiosk.domain.text import name_key
from kiosk_hub.bhxh.demo_cards import DEMO_CARDS, DemoCard
from kiosk_hub.bhxh.simulator_checkin import receive_checkin
from kiosk_hub.bhxh.wire import CARD_CHECK_PATH, CHECKIN_PATH, TOKEN_PATH, CardQuery


@dataclass
class GatewayFaults:
    """Switchable faults, changed by tests while the simulator runs."""

    delay_seconds: float = 0.0
    down: bool = False
    token_lifetime: timedelta = timedelta(minutes=30)


@dataclass
class SimulatedGateway:
    username: str
    password_md5: str
    officer_name: str
    officer_id_number: str
    cards: tuple[DemoCard, ...] = DEMO_CARDS
    faults: GatewayFaults = field(default_factory=GatewayFaults)
    tokens: dict[str, datetime] = field(default_factory=dict)
    token_requests: int = 0
    card_checks: int = 0
    checkins: list[dict[str, str]] = field(default_factory=list)  # the TRANG_THAI_KCB rows received

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def find(self, ma_the: str) -> DemoCard | None:
        for card in self.cards:
            if ma_the in (card.card_code, card.bhxh_number, card.id_number, card.new_card_code):
                return card
        return None


def _card_answer(card: DemoCard, query: CardQuery, code: str) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "maKetQua": code,
        "ghiChu": f"Kết quả {code} (mô phỏng)",
        "maThe": card.card_code,
        "hoTen": card.full_name,
        "ngaySinh": card.date_of_birth,
        "gioiTinh": "Nam" if card.sex == "1" else "Nữ",
        "diaChi": "Số 1 Đường Demo, Hà Nội",
        "maDKBD": card.registered_facility,
        "gtTheTu": card.valid_from,
        "gtTheDen": card.valid_to,
        "maKV": "",
        "ngayDu5Nam": card.five_year_date,
        "maSoBHXH": card.bhxh_number,
        "maTheCu": None,
        "maTheMoi": None,
        "dsLichSuKCB2018": [],
    }
    if code in ("003", "004"):
        answer.update(
            maTheCu=card.card_code,
            maTheMoi=card.new_card_code,
            gtTheTuMoi="01/01/2026",
            gtTheDenMoi="31/12/2027",
            maDKBDMoi="01043",
            tenDKBDMoi="Bệnh viện Đa khoa Demo",
        )
    return answer


def answer_check(gateway: SimulatedGateway, query: CardQuery) -> dict[str, Any]:
    """What the gateway says about one card check (token already verified)."""
    if name_key(query.hoTenCb) != name_key(gateway.officer_name):
        return {"maKetQua": "055", "ghiChu": "Họ tên cán bộ không khớp"}
    if query.cccdCb != gateway.officer_id_number:
        return {"maKetQua": "054", "ghiChu": "Cán bộ tra cứu chưa được đăng ký"}
    card = gateway.find(query.maThe)
    if card is None:
        return {"maKetQua": "050", "ghiChu": "Không có thông tin thẻ"}
    if card.result_code != "000":
        return _card_answer(card, query, card.result_code)
    if name_key(query.hoTen) != name_key(card.full_name):
        return {**_card_answer(card, query, "060"), "ghiChu": "Sai họ tên"}
    if query.ngaySinh not in (card.date_of_birth, card.date_of_birth[-4:]):
        return {**_card_answer(card, query, "070"), "ghiChu": "Sai ngày sinh"}
    return _card_answer(card, query, "000")


def create_simulator(gateway: SimulatedGateway) -> FastAPI:
    app = FastAPI(title="BHXH gateway simulator", openapi_url=None)
    app.state.gateway = gateway

    async def _faults() -> JSONResponse | None:
        if gateway.faults.delay_seconds:
            await asyncio.sleep(gateway.faults.delay_seconds)
        if gateway.faults.down:
            return JSONResponse({"maKetQua": "500", "ghiChu": "Lỗi hệ thống"}, status_code=500)
        return None

    @app.post(TOKEN_PATH)
    async def take_token(request: Request) -> JSONResponse:
        gateway.token_requests += 1
        fault = await _faults()
        if fault is not None:
            return fault
        form: dict[str, Any] = (
            await request.json()
            if request.headers.get("content-type", "").startswith("application/json")
            else dict(await request.form())
        )
        if form.get("username") != gateway.username or str(form.get("password", "")).lower() != gateway.password_md5:
            return JSONResponse({"maKetQua": "401", "APIKey": None}, status_code=200)
        token = secrets.token_hex(16)
        expires = datetime.now(UTC) + gateway.faults.token_lifetime
        gateway.tokens[token] = expires
        api_key = {
            "access_token": token,
            "id_token": secrets.token_hex(8),
            "token_type": "bearer",
            "username": gateway.username,
            "expires_in": expires.isoformat(),
        }
        return JSONResponse({"maKetQua": "200", "APIKey": api_key})

    @app.post(CARD_CHECK_PATH)
    async def check_card(request: Request) -> JSONResponse:
        gateway.card_checks += 1
        fault = await _faults()
        if fault is not None:
            return fault
        params = request.query_params
        expires = gateway.tokens.get(params.get("token", ""))
        if expires is None or expires <= datetime.now(UTC) or params.get("username") != gateway.username:
            return JSONResponse({"maKetQua": "401", "ghiChu": "Token không hợp lệ"}, status_code=401)
        query = CardQuery.model_validate(await request.json())
        return JSONResponse(answer_check(gateway, query))

    @app.post(CHECKIN_PATH)
    async def check_in(request: Request) -> JSONResponse:
        fault = await _faults()
        if fault is not None:
            return fault
        expires = gateway.tokens.get(request.headers.get("accessToken", ""))
        if expires is None or expires <= datetime.now(UTC):
            return JSONResponse({"maKetQua": "401", "thongDiep": "Token không hợp lệ"})
        if request.headers.get("passwordHash", "").lower() != gateway.password_md5:
            return JSONResponse({"maKetQua": "401", "thongDiep": "Sai mật khẩu"})
        form = {key: str(value) for key, value in (await request.form()).items()}
        return JSONResponse(receive_checkin(gateway.checkins, gateway.username, form))

    return app
