"""The console's words for the queue's other half: kiosks' calls for help and the queue analytics. Merged into the
console's messages (`i18n.MESSAGES`)."""

from __future__ import annotations

QUEUE_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.help": ("Yêu cầu hỗ trợ", "Help calls"),
    "help.title": ("Người bệnh cần hỗ trợ tại ki-ốt", "Patients asking for help at a kiosk"),
    "help.about": (
        "Người bệnh bấm «Cần hỗ trợ» trên ki-ốt. Hãy đến ki-ốt đó rồi bấm «Đã nhận».",
        "A patient pressed “Need help” on a kiosk. Go to that kiosk, then press “Taken”.",
    ),
    "help.none": ("Không có yêu cầu nào trong 12 giờ qua.", "No calls in the last 12 hours."),
    "help.kiosk": ("Ki-ốt", "Kiosk"),
    "help.location": ("Vị trí", "Location"),
    "help.screen": ("Màn hình", "Screen"),
    "help.asked_at": ("Lúc", "At"),
    "help.acknowledge": ("Đã nhận", "Taken"),
    "help.taken_by": ("Đã nhận:", "Taken by"),
    "help.overdue": ("Chưa ai nhận", "Nobody took it"),
    "help.refresh": ("Tải lại", "Refresh"),
    "help.alerts": (
        "Người bệnh chờ hỗ trợ quá lâu tại ki-ốt (chưa ai nhận)",
        "Patients kept waiting for help at a kiosk (nobody took the call)",
    ),
}
