"""Why a kiosk is out of service, and the sentence the panel shows for each (Vietnamese and English together: the
person in front of it has not chosen a language yet). The kiosk names the reason in its log line too."""

from __future__ import annotations

from enum import StrEnum


class OutOfService(StrEnum):
    NOT_CONNECTED = "not_connected"  # the hub does not answer yet (first start: enrolment waits for it)
    ENROLMENT_REFUSED = "enrolment_refused"  # the one-time code is unknown, used or expired
    CERTIFICATE_NOT_TRUSTED = "certificate_not_trusted"  # the hub's HTTPS certificate: unknown CA, name, expiry
    REVOKED = "revoked"  # IT revoked this kiosk in the console
    NOT_ENROLLED = "not_enrolled"  # no credentials and no code: `kiosk enrol --code …`
    DEMO_ONLY = "demo_only"  # simulated devices or the demo hub, and the settings do not say demo = true
    BAD_SETTINGS = "bad_settings"  # the settings file cannot be used: `kiosk config check`

    @property
    def message_key(self) -> str:
        return _MESSAGE_KEYS[self]


TITLE_KEY = "out_of_service.title"
DESK_KEY = "out_of_service.go_to_desk"
_MESSAGE_KEYS: dict[OutOfService, str] = {
    OutOfService.NOT_CONNECTED: "out_of_service.not_connected",
    OutOfService.ENROLMENT_REFUSED: "out_of_service.enrolment_refused",
    OutOfService.CERTIFICATE_NOT_TRUSTED: "out_of_service.certificate_not_trusted",
    OutOfService.REVOKED: "out_of_service.revoked",
    OutOfService.NOT_ENROLLED: "out_of_service.not_enrolled",
    OutOfService.DEMO_ONLY: "out_of_service.demo_only",
    OutOfService.BAD_SETTINGS: "out_of_service.bad_settings",
}
