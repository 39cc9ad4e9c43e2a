"""Console users: add, list, disable, new password, new role, staff places (department and optional room), whether
staff see names. Every change is audited in its transaction and signs the user out where it changes what they may do.

Passwords arrive here already hashed (`passwords.PasswordHasherPool` off the event loop), except through `add_user`,
which hashes on the caller's thread for the command line and tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk_hub.access.models import StaffAssignment
from kiosk_hub.access.passwords import hash_now
from kiosk_hub.access.roles import Role
from kiosk_hub.access.sessions import end_sessions_of
from kiosk_hub.db.models import Department, Room
from kiosk_hub.fleet import audit
from kiosk_hub.fleet.models import ConsoleUser

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"


class UserError(ValueError):
    """A change refused for a reason the admin can act on; `code` is stable, the message says the rule."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


@dataclass(frozen=True)
class UserSummary:
    username: str
    role: Role
    disabled: bool
    may_see_names: bool
    places: tuple[tuple[str, str | None], ...]


def add_user(session: Session, username: str, password: str, role: Role, actor: str, now: datetime) -> None:
    """Hashes on this thread: the command line and tests (the console hashes on its pool first)."""
    add_user_hashed(session, username, hash_now(password), role, actor, now)


def add_user_hashed(session: Session, username: str, password_hash: str, role: Role, actor: str, now: datetime) -> None:
    if session.get(ConsoleUser, username) is not None:
        raise UserError("username_taken", f"the username {username!r} is taken")
    session.add(ConsoleUser(username=username, password_hash=password_hash, role=role.value, created_at=now))
    audit.record(session, now, actor, "user.added", username, role=role.value)


def _user(session: Session, username: str) -> ConsoleUser:
    user = session.get(ConsoleUser, username)
    if user is None:
        raise UserError("unknown_user", f"no console user {username!r}")
    return user


def list_users(session: Session) -> list[UserSummary]:
    places: dict[str, list[tuple[str, str | None]]] = {}
    for row in session.scalars(select(StaffAssignment).order_by(StaffAssignment.department_id, StaffAssignment.id)):
        places.setdefault(row.username, []).append((row.department_id, row.room_id))
    return [
        UserSummary(
            u.username, Role(u.role), bool(u.disabled), bool(u.may_see_names), tuple(places.get(u.username, []))
        )
        for u in session.scalars(select(ConsoleUser).order_by(ConsoleUser.username))
    ]


def set_disabled(session: Session, username: str, disabled: bool, actor: str, now: datetime) -> None:
    if disabled and username == actor:
        raise UserError("cannot_disable_self", "an admin cannot disable their own account")
    _user(session, username).disabled = disabled
    if disabled:
        end_sessions_of(session, username)
    audit.record(session, now, actor, "user.disabled" if disabled else "user.enabled", username)


def set_password_hash(session: Session, username: str, password_hash: str, actor: str, now: datetime) -> None:
    _user(session, username).password_hash = password_hash
    end_sessions_of(session, username)  # whoever knew the old one is signed out
    audit.record(session, now, actor, "user.password_changed", username)


def set_role(session: Session, username: str, role: Role, actor: str, now: datetime) -> None:
    if username == actor and role is not Role.ADMIN:
        raise UserError("cannot_demote_self", "an admin cannot take their own admin role away")
    user = _user(session, username)
    user.role = role.value
    if role is not Role.STAFF:
        session.execute(delete(StaffAssignment).where(StaffAssignment.username == username))
        user.may_see_names = False
    end_sessions_of(session, username)
    audit.record(session, now, actor, "user.role_changed", username, role=role.value)


def assign_place(
    session: Session, username: str, department_id: str, room_id: str | None, actor: str, now: datetime
) -> None:
    """Binds a staff user to a department, or to one room of it."""
    if Role(_user(session, username).role) is not Role.STAFF:
        raise UserError("not_staff", "only staff users are assigned to departments")
    if session.get(Department, department_id) is None:
        raise UserError("unknown_department", f"no department {department_id!r}")
    if room_id is not None:
        room = session.get(Room, room_id)
        if room is None or room.department_id != department_id:
            raise UserError("unknown_room", f"no room {room_id!r} in department {department_id!r}")
    existing = session.scalars(
        select(StaffAssignment).where(
            StaffAssignment.username == username,
            StaffAssignment.department_id == department_id,
            StaffAssignment.room_id.is_(None) if room_id is None else StaffAssignment.room_id == room_id,
        )
    ).first()
    if existing is None:
        session.add(StaffAssignment(username=username, department_id=department_id, room_id=room_id))
    audit.record(session, now, actor, "user.assigned", username, department=department_id, room=room_id)


def unassign_place(
    session: Session, username: str, department_id: str, room_id: str | None, actor: str, now: datetime
) -> None:
    _user(session, username)
    session.execute(
        delete(StaffAssignment).where(
            StaffAssignment.username == username,
            StaffAssignment.department_id == department_id,
            StaffAssignment.room_id.is_(None) if room_id is None else StaffAssignment.room_id == room_id,
        )
    )
    audit.record(session, now, actor, "user.unassigned", username, department=department_id, room=room_id)


def set_may_see_names(session: Session, username: str, allowed: bool, actor: str, now: datetime) -> None:
    user = _user(session, username)
    if allowed and Role(user.role) is not Role.STAFF:
        raise UserError("not_staff", "only staff users have the names setting (admins see names, viewers never)")
    user.may_see_names = allowed
    audit.record(session, now, actor, "user.names_shown" if allowed else "user.names_hidden", username)
