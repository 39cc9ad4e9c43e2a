"""Why a calling action was refused: typed errors with a stable code, Vietnamese first then English (staff read
them on the calling page; a HIS reads the code). Nothing changed when one is raised: the action's transaction
rolls back."""

from __future__ import annotations

from kiosk_hub.errors import HubError


class CallingRefusedError(HubError):
    """A calling action that cannot be done as asked."""

    def __init__(self, status: int, code: str, vi: str, en: str) -> None:
        super().__init__(status, code, f"{vi} · {en}", f"calling.{code}")
        self.vi = vi
        self.en = en


def unknown_room(room_id: str) -> CallingRefusedError:
    return CallingRefusedError(404, "room_not_found", f"Không có phòng {room_id}", f"No room {room_id}")


def unknown_department(department_id: str) -> CallingRefusedError:
    return CallingRefusedError(
        404, "department_not_found", f"Không có khoa {department_id}", f"No department {department_id}"
    )


def ticket_not_here() -> CallingRefusedError:
    return CallingRefusedError(
        404, "ticket_not_found", "Không có số này ở khoa hôm nay", "No such ticket in this department today"
    )


def room_not_open(state: str) -> CallingRefusedError:
    if state == "paused":
        return CallingRefusedError(409, "room_paused", "Phòng đang tạm nghỉ", "The room is paused")
    return CallingRefusedError(409, "room_closed", "Phòng đã đóng", "The room is closed")


def department_closed(department_id: str) -> CallingRefusedError:
    return CallingRefusedError(
        409,
        "department_closed",
        f"Khoa {department_id} không nhận bệnh nhân",
        f"The department {department_id} takes no patients",
    )


def queue_empty() -> CallingRefusedError:
    return CallingRefusedError(409, "queue_empty", "Không còn ai chờ", "Nobody is waiting")


def already_done() -> CallingRefusedError:
    return CallingRefusedError(409, "ticket_already_done", "Số này đã khám xong", "This ticket is already done")


def not_at_room(status: str) -> CallingRefusedError:
    return CallingRefusedError(
        409,
        "ticket_not_called",
        f"Số này chưa được gọi (đang: {status})",
        f"This ticket is not called at a room (it is {status})",
    )


def same_place() -> CallingRefusedError:
    return CallingRefusedError(409, "transfer_to_same_place", "Số đã ở đúng nơi này", "The ticket is already there")


def already_queued_there() -> CallingRefusedError:
    return CallingRefusedError(
        409, "already_queued_there", "Bệnh nhân đã có số ở khoa đó hôm nay", "The patient already has a number there"
    )


def room_not_yours() -> CallingRefusedError:
    return CallingRefusedError(403, "room_not_yours", "Bạn không được gọi cho phòng này", "You do not serve this room")
