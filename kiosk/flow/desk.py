"""Sending the patient to the reception desk with a slip: the reason, and a QR of what the kiosk already read."""

from __future__ import annotations

import json
from dataclasses import replace

from kiosk.domain.printer_state import PRINTER_FAILED
from kiosk.domain.ticket import DeskSlip, TicketError
from kiosk.flow.effects import PrintDeskSlip
from kiosk.flow.state import Session, Step
from kiosk.flow.transition import Context, FlowConfig, Transition

# What the desk screen says for the reasons the gateway does not give (those have the gateway's own message).
REASON_MESSAGE_KEYS = {
    "hub_unavailable": "hub.unavailable",
    "chip_not_verifiable": "chip.card_cannot_be_verified_go_to_desk",
    "printer_fault": PRINTER_FAILED,
}


def desk_qr_payload(session: Session, reason: str) -> str:
    """Compact JSON the desk's scanner turns back into the form; on paper in the patient's hand only."""
    identity, patient = session.identity, session.patient
    data: dict[str, str] = {"v": "1", "reason": reason}
    if patient is not None:
        data["patient_id"] = patient.id
    if identity is not None:
        fields = {
            "id": identity.id_number,
            "bhyt": identity.bhyt_code,
            "bhxh": identity.bhxh_number,
            "name": identity.full_name,
            "dob": identity.date_of_birth.iso() if identity.date_of_birth else None,
        }
        data.update({k: v for k, v in fields.items() if v})
    if session.entitlement is not None and session.entitlement.bhxh_code:
        data["bhxh_code"] = session.entitlement.bhxh_code
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def reason_for(session: Session, fallback: str) -> str:
    """The reason code printed on the slip: the gateway's result code when there is one."""
    answer = session.entitlement
    if answer is not None and answer.bhxh_code and answer.bhxh_code.isdigit():
        return f"bhxh_{answer.bhxh_code}"
    return fallback


def to_desk(session: Session, reason: str, ctx: Context, config: FlowConfig) -> Transition:
    payload = desk_qr_payload(session, reason)
    moved = replace(session.at(Step.DESK_SLIP_PRINTING, ctx.now), desk_reason=reason, desk_qr=payload)
    try:
        slip = DeskSlip(config.hospital_name, reason_code=reason, data_qr_payload=payload, printed_at=ctx.wall)
    except TicketError:
        # A slip that cannot be printed is still shown on screen: the patient is never left without a next step.
        return Transition(replace(session.at(Step.DESK, ctx.now), desk_reason=reason, desk_qr=payload))
    return Transition(moved, (PrintDeskSlip(session.generation, slip),))
