"""Every sentence the kiosk shows, in Vietnamese (first, the default) and English, by message key.

A typed catalogue rather than .po files: the kiosk has two languages and a few hundred strings, and a test checks
that every key the flow, the domain and the hub can name is here in both. Text is NFC so Roboto draws one glyph
per toned vowel.
"""

from __future__ import annotations

import unicodedata

LANGUAGES = ("vi", "en")

_MESSAGES: dict[str, tuple[str, str]] = {
    # --- frame -------------------------------------------------------------------------------------------------
    "app.language_switch": ("English", "Tiếng Việt"),
    "app.cancel": ("Hủy", "Cancel"),
    "app.back": ("Quay lại", "Back"),
    "app.finish": ("Xong", "Done"),
    "app.try_again": ("Thử lại", "Try again"),
    "app.go_to_desk": ("Đến quầy tiếp đón", "Go to the reception desk"),
    "status.printer_ok": ("Máy in", "Printer"),
    "status.printer_fault": ("Máy in lỗi", "Printer fault"),
    "status.reader_ok": ("Đầu đọc thẻ", "Card reader"),
    "status.reader_fault": ("Đầu đọc thẻ lỗi", "Card reader fault"),
    "status.camera_ok": ("Camera", "Camera"),
    "status.camera_fault": ("Camera lỗi", "Camera fault"),
    "status.network_ok": ("Mạng", "Network"),
    "status.network_fault": ("Mất mạng", "Offline"),
    "idle.title": ("Bạn còn ở đây không?", "Are you still there?"),
    "idle.body": (
        "Để bảo vệ thông tin cá nhân, phiên sẽ kết thúc sau {seconds} giây.",
        "To protect your personal data, this session ends in {seconds} seconds.",
    ),
    "idle.more_time": ("Tôi cần thêm thời gian", "I need more time"),
    # --- home and identification ------------------------------------------------------------------------------
    "home.welcome": ("Xin chào!", "Welcome!"),
    "home.instructions": (
        # The camera runs only on the identify screen (issue 4): from here, the QR is one touch away.
        "Đặt thẻ căn cước lên đầu đọc, hoặc chọn Đăng ký khám bệnh để quét mã QR hay nhập số.",
        "Place your ID card on the reader, or choose Register for a visit to scan a QR code or type a number.",
    ),
    "home.check_in": ("Đăng ký khám bệnh", "Register for a visit"),
    "home.benefit_lookup": ("Tra cứu quyền lợi BHYT", "Check my insurance benefits"),
    "identify.title": ("Xác định người bệnh", "Who is the patient?"),
    "identify.instructions": (
        "Đặt thẻ căn cước lên đầu đọc, đưa mã QR vào camera, hoặc nhập số CCCD / mã BHXH:",
        "Place your ID card on the reader, show a QR code, or type your ID / social-insurance number:",
    ),
    "identify.typed_placeholder": ("Nhập 12 số CCCD hoặc 10 số BHXH", "12-digit ID or 10-digit BHXH number"),
    "identify.erase": ("Xóa", "Erase"),
    "identify.submit": ("Tiếp tục", "Continue"),
    "identify.card_unreadable": (
        "Không đọc được thẻ. Vui lòng đặt lại thẻ và giữ yên.",
        "The card could not be read. Please place it again and hold it still.",
    ),
    "identify.show_card_qr": (
        "Đã nhận thẻ. Vui lòng đưa mã QR trên thẻ vào camera để mở chip.",
        "Card detected. Please show the QR code on the card to the camera to open its chip.",
    ),
    "chip.place_card_on_reader": ("Vui lòng đặt thẻ lên đầu đọc.", "Please place your card on the reader."),
    "chip.card_removed_place_again": (
        "Thẻ bị nhấc ra khi đang đọc. Vui lòng đặt lại và giữ yên.",
        "The card was moved while reading. Please place it again and hold it still.",
    ),
    "chip.card_details_do_not_open_card": (
        "Không mở được chip bằng thông tin trên thẻ. Vui lòng quét lại mã QR.",
        "The card's details did not open its chip. Please scan its QR code again.",
    ),
    "chip.card_cannot_be_read_go_to_desk": (
        "Không đọc được chip. Vui lòng đến quầy tiếp đón.",
        "The chip cannot be read. Please go to the reception desk.",
    ),
    "chip.card_cannot_be_verified_go_to_desk": (
        "Không xác thực được thẻ. Vui lòng đến quầy tiếp đón.",
        "The card cannot be verified. Please go to the reception desk.",
    ),
    "chip.not_a_citizen_id_card": ("Đây không phải thẻ căn cước.", "This is not a citizen ID card."),
    "chip.reader_unavailable_use_qr_or_desk": (
        "Đầu đọc thẻ đang lỗi. Vui lòng quét mã QR hoặc đến quầy.",
        "The card reader is not working. Please scan a QR code or go to the desk.",
    ),
    "printer.cover_open": ("Nắp máy in đang mở.", "The printer cover is open."),
    "identify.not_recognised": (
        "Không nhận ra mã này. Mã QR động của VNeID chưa được hỗ trợ.",
        "This code is not recognised. VNeID's dynamic QR is not supported.",
    ),
    "identify.old_cmnd_not_accepted": (
        "Số CMND 9 số không dùng được. Vui lòng dùng thẻ CCCD hoặc thẻ BHYT.",
        "The old 9-digit ID cannot be used. Please use your citizen ID or BHYT card.",
    ),
    "identify.patient_not_found": (
        "Không tìm thấy hồ sơ. Vui lòng đặt thẻ căn cước hoặc quét mã QR.",
        "No record found. Please place your ID card or scan its QR code.",
    ),
    # --- waiting ----------------------------------------------------------------------------------------------
    "busy.finding_patient": ("Đang tìm hồ sơ người bệnh…", "Finding your record…"),
    "busy.checking_entitlement": ("Đang kiểm tra thẻ BHYT…", "Checking your health insurance…"),
    "busy.issuing": ("Đang lấy số thứ tự…", "Getting your queue number…"),
    "busy.printing": ("Đang in phiếu…", "Printing your ticket…"),
    "busy.desk_slip_printing": ("Đang in phiếu hướng dẫn…", "Printing your slip…"),
    "busy.keep_card": ("Vui lòng giữ thẻ trên đầu đọc.", "Please keep your card on the reader."),
    # --- visit, department, confirmation ------------------------------------------------------------------------
    "visit.title": ("Chọn hình thức khám", "How will you pay?"),
    "visit.bhyt": ("Khám bảo hiểm y tế (BHYT)", "Health insurance (BHYT)"),
    "visit.fee": ("Khám dịch vụ (tự trả)", "Fee-paying visit"),
    "visit.bhyt_unavailable": ("Thẻ BHYT không dùng được hôm nay", "Your BHYT card cannot be used today"),
    "visit.recheck": (
        "Cổng BHXH đang gián đoạn: bạn vẫn được khám, thẻ sẽ được kiểm tra lại sau.",
        "The insurance gateway is down: you will be seen, and your card re-checked later.",
    ),
    "department.title": ("Chọn khoa khám", "Choose a department"),
    "department.queue": ("{count} người đang chờ · khoảng {minutes} phút", "{count} waiting · about {minutes} min"),
    "department.closed": ("Khoa này hiện đã đóng cửa", "This department is closed now"),
    "department.closed_short": ("Đã đóng cửa", "Closed now"),
    "department.loading": ("Đang tải danh sách khoa…", "Loading departments…"),
    "confirm.title": ("Xác nhận thông tin", "Please confirm"),
    "confirm.patient": ("Người bệnh", "Patient"),
    "confirm.id": ("Số giấy tờ", "ID number"),
    "confirm.department": ("Khoa", "Department"),
    "confirm.visit": ("Hình thức", "Visit"),
    "confirm.priority_question": (
        "Bạn thuộc diện ưu tiên? (nhân viên sẽ xác nhận)",
        "Do you need priority? (staff will confirm)",
    ),
    "confirm.pregnant": ("Đang mang thai", "Pregnant"),
    "confirm.disability": ("Người khuyết tật", "Person with a disability"),
    "confirm.get_ticket": ("Lấy số thứ tự", "Get my ticket"),
    "priority.child_under_6": ("Trẻ em dưới 6 tuổi", "Child under 6"),
    "priority.aged_75_plus": ("Người từ 75 tuổi", "Aged 75 or over"),
    "priority.merit_to_revolution": ("Người có công với cách mạng", "Merit to the revolution"),
    "priority.pregnant": ("Phụ nữ mang thai", "Pregnant"),
    "priority.disability": ("Người khuyết tật", "Disability"),
    "priority.emergency": ("Cấp cứu", "Emergency"),
    # --- results -------------------------------------------------------------------------------------------------
    "ticket.title": ("Số thứ tự của bạn", "Your queue number"),
    "ticket.printed": ("Vui lòng lấy phiếu bên dưới.", "Please take your ticket below."),
    "ticket.reprint": (
        "Bạn đã đăng ký hôm nay: phiếu cũ được in lại.",
        "You registered today: your ticket is reprinted.",
    ),
    "ticket.on_screen": (
        "Máy in đang lỗi. Hãy chụp ảnh màn hình này hoặc quét mã QR.",
        "The printer is not working. Take a photo of this screen or scan the QR code.",
    ),
    "ticket.printer_not_ready_title": ("Máy in chưa sẵn sàng", "The printer is not ready"),
    "ticket.show_on_screen": ("Hiện số thứ tự trên màn hình", "Show my number on the screen"),
    "ticket.room": ("Phòng", "Room"),
    "ticket.position": (
        "Còn {count} người trước bạn · khoảng {minutes} phút",
        "{count} ahead of you · about {minutes} min",
    ),
    "ticket.priority": ("Ưu tiên", "Priority"),
    "ticket.staff_confirm": ("nhân viên sẽ xác nhận", "staff will confirm"),
    "desk.title": ("Vui lòng đến quầy tiếp đón", "Please go to the reception desk"),
    "desk.printed": ("Đưa phiếu này cho nhân viên.", "Give this slip to the staff."),
    "desk.on_screen": ("Máy in lỗi: cho nhân viên xem mã QR này.", "Printer fault: show this QR code to the staff."),
    "benefit.title": ("Quyền lợi BHYT", "Your BHYT benefits"),
    "benefit.level": ("Mức hưởng", "Benefit level"),
    "benefit.percent": ("{percent}% chi phí trong phạm vi", "{percent}% of covered costs"),
    "benefit.validity": ("Hạn thẻ", "Valid"),
    "benefit.facility": ("Nơi đăng ký KCB ban đầu", "Registered facility"),
    "benefit.here": ("Đúng bệnh viện này", "This hospital"),
    "benefit.elsewhere": ("Cơ sở khác", "Another facility"),
    "benefit.five_years": ("Đủ 5 năm liên tục từ", "5 continuous years from"),
    "benefit.next": ("Bạn có thể đăng ký khám ngay.", "You can register for a visit now."),
    "maintenance.pin_title": ("Mã nhân viên kỹ thuật", "Maintenance PIN"),
    "maintenance.wrong_pin": ("Sai mã.", "Wrong PIN."),
    "maintenance.title": ("Bảo trì ki-ốt", "Kiosk maintenance"),
    "maintenance.kiosk": ("Tên ki-ốt", "Kiosk"),
    "maintenance.version": ("Phiên bản", "Version"),
    "maintenance.ok": ("Hoạt động", "Working"),
    "maintenance.fault": ("Lỗi", "Fault"),
    "maintenance.test_print": ("In thử", "Test print"),
    "maintenance.printing": ("Đang in thử…", "Printing a test slip…"),
    "maintenance.printed": ("Đã in thử.", "Test slip printed."),
    "maintenance.close": ("Đóng", "Close"),
    "failed.title": ("Hệ thống đang bận", "The system is busy"),
    "entitlement.problem_title": ("Thẻ BHYT không dùng được", "Your BHYT card cannot be used"),
    "entitlement.no_card": ("Không tìm thấy thẻ BHYT của bạn.", "No BHYT card was found for you."),
    "entitlement.card_not_valid_today": ("Thẻ BHYT không còn hạn hôm nay.", "Your BHYT card is not valid today."),
    "printer.failed": ("Máy in đang lỗi.", "The printer is not working."),
    "printer.paper_out": ("Máy in hết giấy.", "The printer is out of paper."),
    "hub.unavailable": ("Không kết nối được hệ thống bệnh viện.", "The hospital system cannot be reached."),
    "hub.timeout": ("Hệ thống bệnh viện trả lời quá chậm.", "The hospital system is too slow to answer."),
    "hub.error": ("Hệ thống bệnh viện gặp lỗi.", "The hospital system had a problem."),
    "hub.internal_error": ("Hệ thống bệnh viện gặp lỗi.", "The hospital system had a problem."),
    "hub.validation_failed": ("Thông tin chưa hợp lệ.", "Some details are not valid."),
    "hub.kiosk_not_enrolled": ("Ki-ốt chưa được đăng ký. Vui lòng báo nhân viên.", "This kiosk is not enrolled."),
    "hub.patient_identity_conflict": (
        "Thông tin không khớp với hồ sơ. Vui lòng đến quầy.",
        "Your details do not match our records. Please see the desk.",
    ),
    "hub.department_not_found": ("Không tìm thấy khoa.", "Department not found."),
}

# The gateway's answers (kiosk/domain/entitlement.py), as the patient reads them.
_ENTITLEMENT: dict[str, tuple[str, str]] = {
    "card_valid": ("Thẻ BHYT hợp lệ.", "Your BHYT card is valid."),
    "card_managed_by_defence": ("Thẻ do BHXH Bộ Quốc phòng quản lý.", "Card managed by Defence social insurance."),
    "card_managed_by_public_security": ("Thẻ do BHXH Bộ Công an quản lý.", "Card managed by Public Security."),
    "old_card_replaced": ("Thẻ cũ đã hết hạn, dùng thẻ mới.", "Your old card expired; the new card is used."),
    "new_card_issued": ("Bạn đã có thẻ mới, dùng thẻ mới.", "A new card was issued; it is used now."),
    "card_expired": (
        "Thẻ BHYT đã hết hạn. Bạn có thể khám dịch vụ hoặc đến quầy.",
        "Your BHYT card has expired. You can pay for the visit or go to the desk.",
    ),
    "card_not_found": ("Không tìm thấy thông tin thẻ.", "No card information found."),
    "card_code_wrong": ("Mã thẻ không đúng.", "The card code is wrong."),
    "card_province_wrong": ("Mã tỉnh trên thẻ không đúng.", "The province code is wrong."),
    "card_benefit_level_wrong": ("Mức hưởng trên thẻ không đúng.", "The benefit level is wrong."),
    "lookup_staff_not_registered": ("Lỗi cấu hình tra cứu. Đã báo bộ phận CNTT.", "Set-up fault; IT is informed."),
    "lookup_staff_name_mismatch": ("Lỗi cấu hình tra cứu. Đã báo bộ phận CNTT.", "Set-up fault; IT is informed."),
    "name_mismatch": ("Họ tên không khớp với thẻ.", "The name does not match the card."),
    "date_of_birth_mismatch": ("Ngày sinh không khớp với thẻ.", "The date of birth does not match the card."),
    "sex_mismatch": ("Giới tính không khớp với thẻ.", "The sex does not match the card."),
    "registered_facility_mismatch": ("Nơi đăng ký KCB không khớp.", "The registered facility does not match."),
    "gateway_unavailable": (
        "Cổng BHXH gián đoạn: bạn vẫn được khám, thẻ sẽ kiểm tra lại sau.",
        "Insurance gateway down: you will be seen; the card is re-checked later.",
    ),
    "card_revoked": ("Thẻ đã bị thu hồi.", "The card has been revoked."),
    "card_stopped": ("Thẻ đã báo giảm / ngừng sử dụng.", "The card has been stopped."),
    "child_without_card": ("Trẻ em chưa có thẻ: vui lòng đến quầy cùng người giám hộ.", "Child without a card."),
    "gateway_bad_request": ("Lỗi cấu hình tra cứu. Đã báo bộ phận CNTT.", "Set-up fault; IT is informed."),
    "gateway_authentication": ("Lỗi cấu hình tra cứu. Đã báo bộ phận CNTT.", "Set-up fault; IT is informed."),
    "unknown_result": ("Cần nhân viên kiểm tra thẻ.", "A member of staff must check your card."),
}
_MESSAGES.update({f"entitlement.{key}": text for key, text in _ENTITLEMENT.items()})
CATALOGUE: dict[str, tuple[str, str]] = {
    key: (unicodedata.normalize("NFC", vi), unicodedata.normalize("NFC", en)) for key, (vi, en) in _MESSAGES.items()
}


def translate(key: str, language: str, **values: object) -> str:
    """The sentence for `key`; an unknown key falls back to a generic one rather than showing the key."""
    vi, en = CATALOGUE.get(key) or CATALOGUE["hub.error" if key.startswith("hub.") else "entitlement.unknown_result"]
    text = en if language == "en" else vi
    return text.format(**values) if values else text


def has(key: str) -> bool:
    return key in CATALOGUE
