"""The console's words in Vietnamese (default) and English; the language is a cookie the user switches."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.domain.language import DEFAULT_LANGUAGE, LANGUAGES

MESSAGES: dict[str, tuple[str, str]] = {
    "app.title": ("Quản lý ki-ốt", "Kiosk fleet"),
    "nav.fleet": ("Danh sách ki-ốt", "Fleet"),
    "nav.config": ("Cấu hình", "Configuration"),
    "nav.rollouts": ("Triển khai", "Rollouts"),
    "nav.enrol": ("Đăng ký ki-ốt", "Enrol a kiosk"),
    "nav.audit": ("Nhật ký thay đổi", "Audit log"),
    "nav.logout": ("Đăng xuất", "Log out"),
    "login.title": ("Đăng nhập", "Log in"),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Log in"),
    "login.failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "login.expired": ("Phiên làm việc đã hết hạn, vui lòng đăng nhập lại.", "Your session expired; please log in."),
    "error.forbidden": ("Bạn chỉ có quyền xem.", "You may look but not change anything."),
    "error.csrf": ("Biểu mẫu đã cũ, vui lòng tải lại trang.", "The form is out of date; reload the page."),
    "error.not_found": ("Không tìm thấy.", "Not found."),
    "fleet.kiosk": ("Ki-ốt", "Kiosk"),
    "fleet.group": ("Nhóm", "Group"),
    "fleet.canary": ("Thử trước", "Canary"),
    "fleet.last_seen": ("Lần cuối", "Last seen"),
    "fleet.stale": ("Mất liên lạc", "Stale"),
    "fleet.never": ("Chưa liên lạc", "Never seen"),
    "fleet.revoked": ("Đã thu hồi", "Revoked"),
    "fleet.config_version": ("Phiên bản cấu hình", "Config version"),
    "fleet.config_status": ("Trạng thái cấu hình", "Config status"),
    "fleet.devices": ("Thiết bị", "Devices"),
    "fleet.app_version": ("Phiên bản ứng dụng", "App version"),
    "fleet.funnel": ("Hôm nay", "Today"),
    "fleet.empty": ("Chưa có ki-ốt nào.", "No kiosk yet."),
    "funnel.identifications": ("Nhận diện", "Identifications"),
    "funnel.identification_failures": ("Nhận diện lỗi", "Identification failures"),
    "funnel.entitlement_actions": ("Kết quả tra cứu BHYT", "Insurance check results"),
    "funnel.tickets": ("Số thứ tự đã in", "Tickets"),
    "funnel.desk_slips": ("Phiếu ra quầy", "Desk slips"),
    "funnel.print_failures": ("Lỗi in", "Print failures"),
    "kiosk.history": ("Nhịp tim gần đây", "Recent heartbeats"),
    "kiosk.display": ("Màn hình", "Display"),
    "kiosk.frames_per_minute": ("khung hình trong phút qua", "frames in the last minute"),
    "kiosk.alerts": ("Cảnh báo cho IT", "IT alerts"),
    "kiosk.reports": ("Kết quả áp dụng cấu hình", "Configuration outcomes"),
    "kiosk.actions": ("Thao tác từ xa", "Remote actions"),
    "kiosk.settings": ("Nhóm và thử trước", "Group and canary"),
    "kiosk.save": ("Lưu", "Save"),
    "kiosk.revoke": ("Thu hồi ki-ốt", "Revoke kiosk"),
    "action.restart": ("Khởi động lại", "Restart"),
    "action.reload_config": ("Tải lại cấu hình", "Reload config"),
    "action.test_print": ("In thử", "Test print"),
    "action.screenshot": ("Chụp màn hình", "Screenshot"),
    "action.pending": ("Đang chờ ki-ốt", "Waiting for the kiosk"),
    "action.picked": ("Ki-ốt đã nhận", "Picked up"),
    "enrol.create": ("Tạo mã đăng ký", "Create enrolment code"),
    "enrol.code_once": (
        "Mã chỉ hiển thị một lần, dùng được một lần, hết hạn sau 24 giờ:",
        "Shown once, usable once, expires in 24 hours:",
    ),
    "config.versions": ("Các phiên bản", "Versions"),
    "config.save": ("Lưu thành phiên bản mới", "Save as a new version"),
    "config.saved": ("Đã lưu và ký phiên bản", "Saved and signed version"),
    "config.invalid": ("Cấu hình không hợp lệ", "The configuration is not valid"),
    "config.comment": ("Ghi chú", "Comment"),
    "config.editing": ("Đang sửa từ phiên bản", "Editing from version"),
    "rollout.start": ("Triển khai", "Roll out"),
    "rollout.version": ("Phiên bản", "Version"),
    "rollout.phase": ("Giai đoạn", "Phase"),
    "rollout.progress": ("Tiến độ", "Progress"),
    "rollout.rollback": ("Quay lại bản trước", "Roll back"),
    "rollout.none": ("Chưa triển khai", "No rollout yet"),
    "rollout.new_group": ("Nhóm mới", "New group"),
    "rollout.threshold": ("Ngưỡng lỗi (%)", "Failure threshold (%)"),
    "rollout.create_group": ("Tạo nhóm", "Create group"),
    "audit.at": ("Thời điểm", "When"),
    "audit.actor": ("Người thực hiện", "Who"),
    "audit.action": ("Thay đổi", "What"),
    "audit.target": ("Đối tượng", "Target"),
}

# Editor labels by field path; the schema's own titles are the English fallback.
FIELD_LABELS_VI: dict[str, str] = {
    "departments_shown": "Khoa hiển thị (mỗi dòng một mã; để trống: tất cả)",
    "printer": "Máy in",
    "printer.uri": "Địa chỉ máy in",
    "printer.profile": "Loại máy in",
    "printer.paper_width_mm": "Khổ giấy (mm)",
    "camera": "Camera",
    "camera.device": "Thiết bị camera",
    "reader_name": "Tên đầu đọc thẻ",
    "languages": "Ngôn ngữ",
    "idle": "Thời gian chờ",
    "idle.screen_seconds": "Không chạm sau (giây)",
    "idle.wipe_after_warning_seconds": "Xoá phiên sau cảnh báo (giây)",
    "ticket": "Phiếu số thứ tự",
    "ticket.header_vi": "Tiêu đề (tiếng Việt)",
    "ticket.footer_vi": "Chân phiếu (tiếng Việt)",
    "ticket.logo_png_base64": "Logo (PNG base64)",
    "trust_anchors_pem": "Chứng thư gốc CSCA (PEM)",
    "lookup_officer": "Cán bộ tra cứu BHYT",
    "lookup_officer.name": "Họ tên",
    "lookup_officer.id_number": "Số CCCD",
    "heartbeat_seconds": "Nhịp tim (giây)",
    "poll_seconds": "Hỏi cấu hình mỗi (giây)",
}


def translator(lang: str) -> Callable[[str], str]:
    index = 1 if lang == "en" else 0

    def t(key: str) -> str:
        pair = MESSAGES.get(key)
        return pair[index] if pair else key

    return t


def pick_language(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE
