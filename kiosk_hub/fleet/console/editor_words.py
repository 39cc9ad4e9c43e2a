"""The configuration editor's words: each field's label and help in Vietnamese and English, and option labels.

Every field of the kiosk's RemoteConfig has an entry (a test walks the schema): a field added without one fails,
so the editor never shows a raw field name, and the Vietnamese editor never shows English help.
"""

from __future__ import annotations

# path → ((label vi, label en), (help vi, help en)); an empty help shows nothing.
FIELDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "departments_shown": (
        ("Khoa hiển thị trên ki-ốt", "Departments shown on the kiosk"),
        ("Không chọn khoa nào: hiện tất cả các khoa đang mở.", "None ticked: every department that is not hidden."),
    ),
    "printer": (("Máy in phiếu", "Ticket printer"), ("", "")),
    "printer.uri": (
        ("Địa chỉ máy in", "Printer address"),
        (
            "tcp://máy:9100 (mạng), usb://VID:PID, serial:///dev/kiosk-printer hoặc file:// (ghi ra tệp); "
            "để trống: theo tệp cài đặt của ki-ốt",
            "tcp://host:9100 (network), usb://VID:PID, serial:///dev/kiosk-printer or file:// (to a file); "
            "empty: the kiosk's settings file",
        ),
    ),
    "printer.profile": (
        ("Loại máy in", "Printer model"),
        ("Tên hồ sơ máy in của python-escpos, ví dụ TM-T20II", "python-escpos capability profile, e.g. TM-T20II"),
    ),
    "printer.paper_width_mm": (("Khổ giấy (mm)", "Paper width (mm)"), ("", "")),
    "camera": (("Máy quét mã QR", "QR camera"), ("", "")),
    "camera.device": (
        ("Thiết bị quét", "Camera device"),
        (
            "Thiết bị video (V4L2) hoặc tệp video để thử; để trống: theo tệp cài đặt của ki-ốt",
            "V4L2 device, or a video file for trials; empty: the kiosk's settings file",
        ),
    ),
    "camera.width": (("Chiều rộng ảnh (điểm ảnh)", "Picture width (pixels)"), ("", "")),
    "camera.height": (("Chiều cao ảnh (điểm ảnh)", "Picture height (pixels)"), ("", "")),
    "reader_name": (
        ("Tên đầu đọc thẻ", "Card reader name"),
        ("Phần đầu tên đầu đọc PC/SC; để trống: đầu đọc duy nhất", "PC/SC reader name prefix; empty: the only one"),
    ),
    "languages": (("Ngôn ngữ", "Languages"), ("Tiếng Việt luôn có", "Vietnamese is always kept")),
    "idle": (("Thời gian chờ", "Idle time"), ("", "")),
    "idle.screen_seconds": (
        ("Không chạm sau (giây)", "No touch for (seconds)"),
        (
            "Sau chừng này giây không chạm, ki-ốt nhắc người bệnh; để trống: theo tệp cài đặt của ki-ốt",
            "then the kiosk warns the patient; empty: the kiosk's settings file",
        ),
    ),
    "idle.wipe_after_warning_seconds": (
        ("Xoá phiên sau nhắc (giây)", "Wipe after the warning (seconds)"),
        (
            "Rồi xoá thông tin của phiên (ít nhất 20 giây); để trống: theo tệp cài đặt của ki-ốt",
            "then the session is wiped (at least 20 s); empty: the kiosk's settings file",
        ),
    ),
    "ticket": (("Phiếu số thứ tự", "Queue ticket"), ("", "")),
    "ticket.header_vi": (
        ("Tên bệnh viện trên phiếu (tiếng Việt)", "Hospital name on tickets (Vietnamese)"),
        ("Để trống: theo tệp cài đặt của ki-ốt", "empty: the kiosk's settings file"),
    ),
    "ticket.header_en": (("Tiêu đề (tiếng Anh)", "Heading (English)"), ("", "")),
    "ticket.footer_vi": (("Chân phiếu (tiếng Việt)", "Footer (Vietnamese)"), ("", "")),
    "ticket.footer_en": (("Chân phiếu (tiếng Anh)", "Footer (English)"), ("", "")),
    "ticket.logo_png_base64": (
        ("Biểu trưng (ảnh PNG dạng base64)", "Logo (PNG as base64)"),
        ("Ảnh PNG nhỏ (dưới 30 kB), hoặc để trống", "a small PNG (under 30 kB), or empty"),
    ),
    "trust_anchors_pem": (
        ("Chứng thư gốc CSCA (PEM)", "CSCA trust anchors (PEM)"),
        ("Chứng thư để kiểm tra chip thẻ căn cước", "certificates that check the ID card's chip"),
    ),
    "lookup_officer": (("Cán bộ tra cứu BHYT", "BHYT lookup officer"), ("", "")),
    "lookup_officer.name": (("Họ tên", "Full name"), ("", "")),
    "lookup_officer.id_number": (("Số căn cước (12 chữ số)", "ID number (12 digits)"), ("", "")),
    "heartbeat_seconds": (
        ("Báo tình trạng mỗi (giây)", "Heartbeat every (seconds)"),
        ("Ki-ốt báo thiết bị và số liệu về trung tâm", "the kiosk reports devices and counts to the hub"),
    ),
    "poll_seconds": (
        ("Hỏi cấu hình mới mỗi (giây)", "Check for a new configuration every (seconds)"),
        ("", ""),
    ),
}

OPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "languages": {"vi": ("Tiếng Việt", "Vietnamese"), "en": ("Tiếng Anh", "English")},
}


def label(path: str, lang: str) -> str:
    words = FIELDS.get(path)
    return (words[0][1] if lang == "en" else words[0][0]) if words else path


def help_text(path: str, lang: str) -> str:
    words = FIELDS.get(path)
    return (words[1][1] if lang == "en" else words[1][0]) if words else ""


def option(path: str, value: object, lang: str) -> str:
    words = OPTIONS.get(path, {}).get(str(value))
    return (words[1] if lang == "en" else words[0]) if words else str(value)
