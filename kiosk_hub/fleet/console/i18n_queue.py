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
    "nav.analytics": ("Thống kê hàng đợi", "Queue analytics"),
    "analytics.about": (
        "Số phiếu theo giờ, thời gian chờ từ lúc lấy số đến lúc được gọi (trung vị p50 và p90), số phiếu đã hủy, theo "
        "khoa và luồng. Chỉ có số đếm và thời gian, không có thông tin người bệnh.",
        "Tickets per hour, the wait from taking a number to being called (median p50 and p90), cancelled tickets, "
        "per department and lane. Counts and durations only, nothing about patients.",
    ),
    "analytics.from": ("Từ ngày", "From"),
    "analytics.to": ("Đến ngày", "To"),
    "analytics.department": ("Khoa", "Department"),
    "analytics.show": ("Xem", "Show"),
    "analytics.csv": ("Tải CSV", "Download CSV"),
    "analytics.none": ("Không có phiếu nào trong khoảng ngày này.", "No tickets in these days."),
    "analytics.total": ("Tổng số phiếu", "Tickets in all"),
    "analytics.per_hour": ("Số phiếu theo giờ", "Tickets issued per hour"),
    "analytics.waits": ("Thời gian chờ đến lúc được gọi (phút)", "Wait until called (minutes)"),
    "analytics.lane": ("Luồng", "Lane"),
    "analytics.lane.normal": ("Thường", "Normal"),
    "analytics.lane.priority": ("Ưu tiên", "Priority"),
    "analytics.issued": ("Đã lấy số", "Issued"),
    "analytics.called": ("Đã gọi", "Called"),
    "analytics.cancelled": ("Đã hủy", "Cancelled"),
    "analytics.wait_p50": ("Chờ p50 (phút)", "Wait p50 (min)"),
    "analytics.wait_p90": ("Chờ p90 (phút)", "Wait p90 (min)"),
    "analytics.not_yet": (
        "Số người không đến khi được gọi và số lần chuyển khoa chưa có trong dữ liệu phiếu: sẽ có khi các trang gọi "
        "số ghi lại.",
        "No-shows and transfers are not in the tickets' data yet: they come with the calling pages.",
    ),
    "analytics.problem.bad_date": (
        "Ngày không hợp lệ: hiển thị 7 ngày gần nhất.",
        "Not a date: the last 7 days are shown.",
    ),
    "analytics.problem.bad_span": (
        "Khoảng ngày không hợp lệ (tối đa 92 ngày): hiển thị 7 ngày gần nhất.",
        "Not a usable span (92 days at most): the last 7 days are shown.",
    ),
}
