"""What the voice says for each message key the flow, the gateway, the printer and the hub can name.

Written to be heard, not read: abbreviations are said in full ("bảo hiểm y tế", not "BHYT", which espeak-ng
would spell letter by letter) and each notice says what to do next with the keypad.
"""

from __future__ import annotations

NOTICES: dict[str, tuple[str, str]] = {
    "maintenance.wrong_pin": ("Sai mã.", "Wrong PIN."),
    "maintenance.printing": ("Đang in thử.", "Printing a test slip."),
    "maintenance.printed": ("Đã in thử.", "Test slip printed."),
    # --- identification ------------------------------------------------------------------------------------------
    "identify.card_unreadable": (
        "Không đọc được thẻ. Vui lòng đặt lại thẻ lên đầu đọc và giữ yên.",
        "The card could not be read. Please place it on the reader again and hold it still.",
    ),
    "identify.show_card_qr": (
        "Chip của thẻ cần thông tin in trên thẻ. Vui lòng đưa mã QR ở mặt trước thẻ căn cước vào camera, "
        "hoặc nhập số căn cước bằng các phím số.",
        "The card's chip needs details printed on the card. Please show the QR code on the front of your ID card "
        "to the camera, or type your ID number on the number keys.",
    ),
    "identify.not_recognised": (
        "Không nhận ra mã này. Vui lòng dùng thẻ căn cước, hoặc nhập số căn cước bằng bàn phím số.",
        "This code is not recognised. Please use your ID card, or type your ID number on the number keys.",
    ),
    "identify.old_cmnd_not_accepted": (
        "Số chứng minh nhân dân chín số không dùng được. Vui lòng dùng thẻ căn cước hoặc thẻ bảo hiểm y tế.",
        "The old nine-digit ID cannot be used. Please use your citizen ID card or your health insurance card.",
    ),
    "identify.patient_not_found": (
        "Không tìm thấy hồ sơ. Vui lòng đặt thẻ căn cước lên đầu đọc.",
        "No record was found. Please place your ID card on the reader.",
    ),
    # --- the chip reader (kiosk/hardware/chip/errors.py) -------------------------------------------------------------
    "chip.reader_unavailable_use_qr_or_desk": (
        "Đầu đọc thẻ đang không dùng được. Vui lòng nhập số căn cước bằng các phím số, hoặc đến quầy tiếp đón.",
        "The card reader is not available. Please type your ID number on the number keys, or go to the desk.",
    ),
    "chip.place_card_on_reader": ("Vui lòng đặt thẻ căn cước lên đầu đọc.", "Please place your ID card on the reader."),
    "chip.card_removed_place_again": (
        "Thẻ đã bị nhấc ra. Vui lòng đặt lại thẻ và giữ yên.",
        "The card was moved away. Please place it again and hold it still.",
    ),
    "chip.card_details_do_not_open_card": (
        "Không mở được chip của thẻ. Vui lòng nhập số căn cước bằng các phím số, hoặc đến quầy tiếp đón.",
        "The chip could not be opened. Please type your ID number on the number keys, or go to the desk.",
    ),
    "chip.card_cannot_be_read_go_to_desk": (
        "Không đọc được chip của thẻ. Vui lòng đến quầy tiếp đón.",
        "The card's chip cannot be read. Please go to the reception desk.",
    ),
    "chip.card_cannot_be_verified_go_to_desk": (
        "Không xác thực được thẻ này. Vui lòng đến quầy tiếp đón.",
        "This card cannot be verified. Please go to the reception desk.",
    ),
    "chip.not_a_citizen_id_card": (
        "Thẻ này không phải thẻ căn cước có gắn chip.",
        "This is not a chip citizen ID card.",
    ),
    "department.closed": (
        "Khoa này hiện đã đóng cửa. Vui lòng chọn khoa khác.",
        "This department is closed now. Please choose another one.",
    ),
    # --- entitlement: the kiosk's own verdicts ----------------------------------------------------------------------
    "entitlement.no_card": ("Không tìm thấy thẻ bảo hiểm y tế của bạn.", "No health insurance card was found for you."),
    "entitlement.card_not_valid_today": (
        "Thẻ bảo hiểm y tế không dùng được hôm nay.",
        "Your health insurance card cannot be used today.",
    ),
    # --- entitlement: the gateway's answers (kiosk/domain/entitlement.py) -------------------------------------------
    "entitlement.card_valid": ("Thẻ bảo hiểm y tế hợp lệ.", "Your health insurance card is valid."),
    "entitlement.card_managed_by_defence": (
        "Thẻ do bảo hiểm xã hội Bộ Quốc phòng quản lý. Vui lòng đến quầy tiếp đón.",
        "Your card is managed by Defence social insurance. Please go to the reception desk.",
    ),
    "entitlement.card_managed_by_public_security": (
        "Thẻ do bảo hiểm xã hội Bộ Công an quản lý. Vui lòng đến quầy tiếp đón.",
        "Your card is managed by Public Security social insurance. Please go to the reception desk.",
    ),
    "entitlement.old_card_replaced": ("Thẻ cũ đã được thay, thẻ mới được dùng.", "Your new card is used instead."),
    "entitlement.new_card_issued": ("Bạn đã có thẻ mới, thẻ mới được dùng.", "A new card was issued and is used now."),
    "entitlement.card_expired": (
        "Thẻ bảo hiểm y tế đã hết hạn. Bạn có thể khám dịch vụ tự trả, hoặc đến quầy tiếp đón.",
        "Your health insurance card has expired. You can pay for the visit, or go to the reception desk.",
    ),
    "entitlement.card_not_found": ("Không tìm thấy thông tin thẻ.", "No card information was found."),
    "entitlement.card_code_wrong": ("Mã thẻ không đúng.", "The card code is wrong."),
    "entitlement.card_province_wrong": ("Mã tỉnh trên thẻ không đúng.", "The province code on the card is wrong."),
    "entitlement.card_benefit_level_wrong": (
        "Mức hưởng trên thẻ không đúng.",
        "The benefit level on the card is wrong.",
    ),
    "entitlement.lookup_staff_not_registered": (
        "Ki-ốt đang lỗi cấu hình. Vui lòng đến quầy tiếp đón.",
        "The kiosk has a set-up fault. Please go to the reception desk.",
    ),
    "entitlement.lookup_staff_name_mismatch": (
        "Ki-ốt đang lỗi cấu hình. Vui lòng đến quầy tiếp đón.",
        "The kiosk has a set-up fault. Please go to the reception desk.",
    ),
    "entitlement.name_mismatch": ("Họ tên không khớp với thẻ.", "The name does not match the card."),
    "entitlement.date_of_birth_mismatch": (
        "Ngày sinh không khớp với thẻ.",
        "The date of birth does not match the card.",
    ),
    "entitlement.sex_mismatch": ("Giới tính không khớp với thẻ.", "The sex does not match the card."),
    "entitlement.registered_facility_mismatch": (
        "Nơi đăng ký khám chữa bệnh ban đầu không khớp.",
        "The registered facility does not match.",
    ),
    "entitlement.gateway_unavailable": (
        "Cổng bảo hiểm xã hội đang gián đoạn. Bạn vẫn được khám, thẻ sẽ được kiểm tra lại sau.",
        "The insurance gateway is down. You will be seen, and your card is checked again later.",
    ),
    "entitlement.card_revoked": ("Thẻ đã bị thu hồi.", "The card has been revoked."),
    "entitlement.card_stopped": ("Thẻ đã ngừng sử dụng.", "The card has been stopped."),
    "entitlement.child_without_card": (
        "Trẻ em chưa có thẻ. Vui lòng đến quầy tiếp đón cùng người giám hộ.",
        "A child without a card. Please go to the reception desk with a guardian.",
    ),
    "entitlement.gateway_bad_request": (
        "Ki-ốt đang lỗi cấu hình. Vui lòng đến quầy tiếp đón.",
        "The kiosk has a set-up fault. Please go to the reception desk.",
    ),
    "entitlement.gateway_authentication": (
        "Ki-ốt đang lỗi cấu hình. Vui lòng đến quầy tiếp đón.",
        "The kiosk has a set-up fault. Please go to the reception desk.",
    ),
    "entitlement.unknown_result": ("Cần nhân viên kiểm tra thẻ.", "A member of staff must check your card."),
    # --- the printer -------------------------------------------------------------------------------------------------
    "printer.failed": ("Máy in đang lỗi.", "The printer is not working."),
    "printer.paper_out": ("Máy in hết giấy.", "The printer is out of paper."),
    "printer.cover_open": ("Nắp máy in đang mở.", "The printer cover is open."),
    # --- the hub -----------------------------------------------------------------------------------------------------
    "hub.unavailable": ("Không kết nối được hệ thống bệnh viện.", "The hospital system cannot be reached."),
    "hub.timeout": ("Hệ thống bệnh viện trả lời quá chậm.", "The hospital system is too slow to answer."),
    "hub.error": ("Hệ thống bệnh viện gặp lỗi.", "The hospital system had a problem."),
    "hub.internal_error": ("Hệ thống bệnh viện gặp lỗi.", "The hospital system had a problem."),
    "hub.validation_failed": ("Thông tin chưa hợp lệ.", "Some details are not valid."),
    "hub.kiosk_not_enrolled": (
        "Ki-ốt chưa được đăng ký. Vui lòng đến quầy tiếp đón.",
        "This kiosk is not enrolled. Please go to the reception desk.",
    ),
    "hub.patient_identity_conflict": (
        "Thông tin không khớp với hồ sơ. Vui lòng đến quầy tiếp đón.",
        "Your details do not match our records. Please go to the reception desk.",
    ),
    "hub.department_not_found": ("Không tìm thấy khoa.", "The department was not found."),
    "hub.rate_limited": (
        "Máy đang tạm dừng tra cứu. Vui lòng thử lại sau ít phút, hoặc đến quầy tiếp đón.",
        "This kiosk has made too many lookups. Please try again in a minute, or go to the reception desk.",
    ),
    # --- a booking's QR (kiosk/flow/appointments.py; added by the kiosk-app engineer) -----------------------------
    "appointment.found": (
        "Đã tìm thấy lịch hẹn của bạn. Kiểm tra thông tin rồi chọn lấy số thứ tự.",
        "Your appointment was found. Check the details, then choose to get your ticket.",
    ),
    "appointment.not_found": (
        "Không tìm thấy lịch hẹn với mã này. Vui lòng dùng thẻ căn cước, nhập số căn cước, hoặc đến quầy tiếp đón.",
        "No appointment has this code. Please use your ID card, type your ID number, or go to the reception desk.",
    ),
    "appointment.too_early": (
        "Chưa đến giờ xác nhận lịch hẹn. Vui lòng quay lại gần giờ hẹn, đăng ký khám thông thường, "
        "hoặc đến quầy tiếp đón.",
        "It is too early to check in for this appointment. Please come back nearer the time, register as a "
        "walk-in, or go to the reception desk.",
    ),
    "appointment.too_late": (
        "Đã quá giờ xác nhận lịch hẹn. Vui lòng đăng ký khám thông thường hoặc đến quầy tiếp đón.",
        "Check-in for this appointment has closed. Please register as a walk-in or go to the reception desk.",
    ),
    "appointment.cancelled": (
        "Lịch hẹn này đã bị hủy. Vui lòng đăng ký khám thông thường hoặc đến quầy tiếp đón.",
        "This appointment was cancelled. Please register as a walk-in or go to the reception desk.",
    ),
    "appointment.unavailable": (
        "Chưa kiểm tra được lịch hẹn lúc này. Vui lòng đăng ký khám thông thường hoặc đến quầy tiếp đón.",
        "Your appointment cannot be checked right now. Please register as a walk-in or go to the reception desk.",
    ),
    # --- paying the exam fee -------------------------------------------------------------------------------------
    "payment.unconfirmed": (
        "Ngân hàng chưa xác nhận thanh toán. Nếu bạn đã chuyển tiền, vui lòng mang phiếu vừa in đến quầy thu ngân.",
        "The bank has not confirmed a payment. If you have paid, please take the slip to the cashier.",
    ),
    "payment.held": (
        "Số tiền đã chuyển không khớp với tiền khám. Vui lòng đến quầy thu ngân để được hoàn tiền.",
        "The amount paid does not match the exam fee. Please go to the cashier for a refund.",
    ),
    "payment.refund": (
        "Đã nhận tiền nhưng không cấp được số thứ tự. Vui lòng đến quầy thu ngân để được hoàn tiền.",
        "The payment arrived but no number could be issued. Please go to the cashier for a refund.",
    ),
    "hub.bank_unavailable": (
        "Không thanh toán được tại ki-ốt lúc này. Bạn vẫn được lấy số; vui lòng nộp tiền khám tại quầy thu ngân.",
        "Paying at the kiosk is not possible now. You still get a number; please pay at the cashier.",
    ),
    "call_staff.hub_away": (
        "Không gửi được yêu cầu hỗ trợ. Xin mời đến quầy tiếp đón.",
        "The call for help could not be sent. Please go to the reception desk.",
    ),
}
