"""The console's words in Vietnamese (default) and English; the language is a cookie the user switches."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.domain.language import DEFAULT_LANGUAGE, LANGUAGES
from kiosk_hub.fleet.console.i18n_golive import GO_LIVE_MESSAGES
from kiosk_hub.fleet.console.i18n_payments import PAYMENT_MESSAGES

MESSAGES: dict[str, tuple[str, str]] = {
    "app.title": ("Quản lý ki-ốt", "Kiosk fleet"),
    "nav.fleet": ("Danh sách ki-ốt", "Fleet"),
    "nav.config": ("Cấu hình", "Configuration"),
    "nav.rollouts": ("Triển khai", "Rollouts"),
    "nav.enrol": ("Đăng ký ki-ốt", "Enrol a kiosk"),
    "nav.audit": ("Nhật ký thay đổi", "Audit log"),
    "nav.settings": ("Cài đặt máy chủ", "Hub settings"),
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
    "config.saved": ("Đã lưu phiên bản", "Saved version"),
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
    "settings.saved": ("Đã lưu.", "Saved."),
    "settings.officer": ("Cán bộ tra cứu BHYT", "BHXH lookup officer"),
    "settings.officer_help": (
        "Cổng BHXH nhận họ tên và số CCCD của cán bộ này trong mỗi lần tra cứu thẻ. Không gửi xuống ki-ốt.",
        "The BHXH gateway gets this officer's name and CCCD with every card check. Never sent to kiosks.",
    ),
    "settings.officer_name": ("Họ tên", "Name"),
    "settings.officer_id": ("Số CCCD", "CCCD number"),
    "settings.id_blank_keeps": ("để trống: giữ số đã lưu", "blank: keep the saved number"),
    "settings.use_environment": ("Dùng giá trị trong tệp cấu hình máy chủ", "Use the hub's environment file"),
    "settings.source": ("Nguồn", "Source"),
    "settings.source.console": ("Bảng điều khiển", "Console"),
    "settings.source.environment": ("Tệp cấu hình máy chủ", "Environment file"),
    "settings.invalid.name": ("Họ tên không được trống (tối đa 100 ký tự).", "The name is required (up to 100)."),
    "settings.invalid.id_number": ("Số CCCD phải gồm 12 chữ số.", "The CCCD number must be 12 digits."),
    "settings.no_key_file": (
        "Máy chủ không mở được tệp khoá (KIOSK_HUB_KEY_FILE): xem nhật ký máy chủ.",
        "The hub cannot open its key file (KIOSK_HUB_KEY_FILE): see the hub's log.",
    ),
    "settings.config_key": ("Khoá ký cấu hình", "Configuration-signing key"),
    "settings.key_id": ("Mã khoá", "Key id"),
    "settings.key_created": ("Tạo lúc", "Created"),
    "settings.key_sealed": ("Được mã hoá bằng tệp khoá", "Sealed by the key file"),
    "settings.rotations": ("Số lần đổi khoá", "Rotations"),
    "settings.no_key": ("Chưa có khoá.", "No key yet."),
    "settings.rotate_help": (
        "Đổi khoá: kiosk-hub keys rotate-config (ki-ốt chấp nhận khoá mới vì khoá cũ đã ký nó).",
        "Rotate: kiosk-hub keys rotate-config (kiosks accept the new key because the old one signed it).",
    ),
    "settings.yes": ("Có", "Yes"),
    "settings.no": ("Không", "No"),
    "audit.at": ("Thời điểm", "When"),
    "audit.actor": ("Người thực hiện", "Who"),
    "audit.action": ("Thay đổi", "What"),
    "audit.target": ("Đối tượng", "Target"),
    "nav.his": ("Kết nối HIS", "HIS link"),
    "his.subscriptions": ("Nơi nhận sự kiện (webhook)", "Event receivers (webhooks)"),
    "his.pending": ("Đang chờ gửi", "Waiting"),
    "his.dead": ("Gửi thất bại", "Dead letters"),
    "his.none": ("Không có.", "None."),
    "his.replay": ("Gửi lại", "Replay"),
    "his.replay_all": ("Gửi lại tất cả", "Replay all"),
    "his.event": ("Sự kiện", "Event"),
    "his.error": ("Lỗi gần nhất", "Last error"),
    "his.attempts": ("Số lần thử", "Attempts"),
    "his.failed_visits": (
        "Lượt khám HIS chưa mở được (quầy tiếp đón mở tay)",
        "Visits the HIS did not open (the desk opens them)",
    ),
    "his.retry": ("Thử lại", "Retry"),
    "his.checkins": ("Dữ liệu check-in BHYT chưa gửi được", "BHYT check-ins not sent"),
    "his.adapter": ("Bộ kết nối HIS", "HIS adapter"),
    "his.feed": ("Vị trí sự kiện mới nhất", "Last event position"),
}

MESSAGES.update(GO_LIVE_MESSAGES)
MESSAGES.update(PAYMENT_MESSAGES)


def translator(lang: str) -> Callable[[str], str]:
    index = 1 if lang == "en" else 0

    def t(key: str) -> str:
        pair = MESSAGES.get(key)
        return pair[index] if pair else key

    return t


def pick_language(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE
