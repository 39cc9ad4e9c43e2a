"""Who may pull the event feed: a named bearer token per reading system, made by `kiosk-hub events reader NAME`
(shown once, only its SHA-256 kept) and checked by one FastAPI dependency (`EventReaderName`).

This stands in for the hub's integration credentials with scope `events`: when those exist, the pull route takes
that dependency instead and this module goes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kiosk_hub import errors
from kiosk_hub.events.models import EventReader
from kiosk_hub.kiosk_tokens import hash_token, new_token

bearer = HTTPBearer(auto_error=False, description="an event reader's token from `kiosk-hub events reader NAME`")


def add_reader(session: Session, name: str, now: datetime) -> str:
    """A new reader; its token, to show once."""
    token = new_token().replace("kh_", "khe_", 1)
    session.add(EventReader(name=name, token_hash=hash_token(token), created_at=now, revoked=False))
    return token


def reader_named(reader: sessionmaker[Session], token: str) -> str | None:
    with reader() as session:
        found = session.scalars(
            select(EventReader).where(EventReader.token_hash == hash_token(token), EventReader.revoked.is_(False))
        ).first()
        return found.name if found else None


async def current_reader(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> str:
    if credentials is None or len(credentials.credentials) > 200:
        raise errors.HubError(401, "unauthorized", "An event reader's bearer token is required")
    name = await run_in_threadpool(reader_named, request.app.state.hub.reader, credentials.credentials)
    if name is None:
        raise errors.HubError(401, "unauthorized", "An event reader's bearer token is required")
    return name


EventReaderName = Annotated[str, Depends(current_reader)]
