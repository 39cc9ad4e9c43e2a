"""A client of the BHXH gateway: takes a token with the facility account, caches it, checks cards.

Written as if published on its own: an injected httpx.AsyncClient, a deadline on every call and a small error
tree. Credentials and card data never reach a log line.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import httpx
from pydantic import ValidationError

from kiosk_hub.bhxh.wire import (
    CARD_CHECK_PATH,
    CHECKIN_PATH,
    TOKEN_PATH,
    CardAnswer,
    CardQuery,
    CheckInAnswer,
    TokenAnswer,
    TokenRequest,
)
from kiosk_hub.settings import BhxhSettings

log = logging.getLogger("kiosk_hub.bhxh")
M = TypeVar("M", TokenAnswer, CardAnswer, CheckInAnswer)
TOKEN_MARGIN = timedelta(seconds=60)
# The lookup officer (name, CCCD) each check is made on behalf of: read when asked, so IT may change it at run time.
OfficerSource = Callable[[], Awaitable[tuple[str, str]]]
DEFAULT_TOKEN_LIFE = timedelta(minutes=30)


class BhxhError(Exception):
    """The gateway could not answer a card check."""


class GatewayUnavailableError(BhxhError):
    """Timeout, connection refused, a 5xx or a garbled answer: register the patient and re-check later."""


class GatewayCredentialsError(BhxhError):
    """The facility account was refused (token 401/402/403): a configuration fault for IT."""


def password_md5(password: str, *, uppercase: bool) -> str:
    digest = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
    return digest.upper() if uppercase else digest


class _Token:
    def __init__(self, access: str, id_token: str, expires: datetime) -> None:
        self.access = access
        self.id_token = id_token
        self.expires = expires


class BhxhClient:
    """Card checks against the gateway; one token shared by concurrent checks and renewed before it expires."""

    def __init__(
        self, settings: BhxhSettings, http: httpx.AsyncClient, clock: Callable[[], datetime] | None = None,
        officer: OfficerSource | None = None,
    ) -> None:  # fmt: skip
        self._settings = settings
        self._http = http
        self._clock = clock or (lambda: datetime.now(UTC))
        self._officer = officer or self._officer_of_settings
        self._token: _Token | None = None
        self._lock = asyncio.Lock()
        self._md5 = password_md5(settings.password.get_secret_value(), uppercase=settings.md5_uppercase)
        # The gateway's protocol puts the password hash and the token in the query string, and httpx logs every
        # URL at INFO: keep httpx to warnings so credentials never reach a log file.
        logging.getLogger("httpx").setLevel(max(logging.WARNING, logging.getLogger("httpx").level))

    async def check_card(self, card_code: str, full_name: str, date_of_birth: str) -> CardAnswer:
        """The gateway's answer for a card (date_of_birth as the gateway wants it: dd/MM/yyyy or yyyy)."""
        officer_name, officer_id = await self._officer()
        query = CardQuery(
            maThe=card_code, hoTen=full_name, ngaySinh=date_of_birth, hoTenCb=officer_name, cccdCb=officer_id
        )
        for attempt in range(2):
            token = await self._current_token(renew=attempt > 0)
            answer = await self._post_check(query, token)
            if answer is not None:
                return answer
            log.info("gateway refused the cached token; taking a new one")
        raise GatewayCredentialsError("the gateway refused a fresh token")

    async def _officer_of_settings(self) -> tuple[str, str]:
        return self._settings.officer_name, self._settings.officer_id_number.get_secret_value()

    async def send_checkin(self, xml: bytes, facility_code: str, province_code: str) -> CheckInAnswer:
        """Send one check-in file (XML0) as the gateway's guide says: form fields, the token in headers."""
        form = {
            "username": self._settings.username,
            "loaiHoSo": "0",
            "maTinh": province_code,
            "maCSKCB": facility_code,
            "fileHSBase64": base64.b64encode(xml).decode(),
        }
        for attempt in range(2):
            token = await self._current_token(renew=attempt > 0)
            headers = {
                "accessToken": token.access,
                "tokenId": token.id_token,
                "passwordHash": password_md5(self._settings.password.get_secret_value(), uppercase=True),
            }
            response = await self._send(CHECKIN_PATH, data=form, headers=headers)
            if response.status_code != 401:
                answer = self._parse(response, CheckInAnswer)
                if answer.maKetQua != "401":
                    return answer
        raise GatewayCredentialsError("the gateway refused a fresh token for the check-in")

    async def _post_check(self, query: CardQuery, token: _Token) -> CardAnswer | None:
        params = {
            "username": self._settings.username,
            "password": self._md5,
            "token": token.access,
            "id_token": token.id_token,
        }
        response = await self._send(CARD_CHECK_PATH, params=params, json=query.model_dump())
        if response.status_code == 401:
            return None
        answer = self._parse(response, CardAnswer)
        if answer.maKetQua == "401":
            return None
        return answer

    async def _current_token(self, *, renew: bool) -> _Token:
        async with self._lock:
            stale = self._token is None or self._clock() + TOKEN_MARGIN >= self._token.expires
            if renew or stale:
                self._token = await self._take_token()
            assert self._token is not None
            return self._token

    async def _take_token(self) -> _Token:
        body = TokenRequest(username=self._settings.username, password=self._md5)
        response = await self._send(TOKEN_PATH, json=body.model_dump())
        if response.status_code in (401, 402, 403):
            raise GatewayCredentialsError(f"token refused with HTTP {response.status_code}")
        answer = self._parse(response, TokenAnswer)
        if answer.maKetQua in ("401", "402", "403"):
            raise GatewayCredentialsError(f"token refused with maKetQua {answer.maKetQua}")
        if answer.maKetQua != "200" or answer.APIKey is None:
            raise GatewayUnavailableError(f"token answer maKetQua {answer.maKetQua}")
        return _Token(answer.APIKey.access_token, answer.APIKey.id_token, self._expiry(answer.APIKey.expires_in))

    def _expiry(self, expires_in: str | None) -> datetime:
        now = self._clock()
        if expires_in:
            try:
                moment = datetime.fromisoformat(expires_in)
                return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            except ValueError:
                if expires_in.isdigit():
                    return now + timedelta(seconds=int(expires_in))
        return now + DEFAULT_TOKEN_LIFE

    async def _send(self, path: str, **kwargs: object) -> httpx.Response:
        url = self._settings.base_url.rstrip("/") + path
        try:
            response = await self._http.post(url, timeout=self._settings.timeout_seconds, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException as exc:
            raise GatewayUnavailableError(f"timeout on {path}") from exc
        except httpx.TransportError as exc:
            raise GatewayUnavailableError(f"{type(exc).__name__} on {path}") from exc
        if response.status_code >= 500:
            raise GatewayUnavailableError(f"HTTP {response.status_code} on {path}")
        return response

    @staticmethod
    def _parse(response: httpx.Response, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise GatewayUnavailableError(f"unreadable answer (HTTP {response.status_code})") from exc
