"""The voice's own catalogue: what is said for every step of the flow, every choice and every message key.

Separate from the screen's catalogue (kiosk/i18n) because speech is written to be heard: it tells a patient who
cannot see the screen which key to press, says abbreviations in full and numbers as words. Vietnamese first.
A test keeps it complete: every flow step, choice and message key has text in both languages.
"""

from __future__ import annotations

import re
import unicodedata

from kiosk.domain.spoken_numbers import numbers_as_words
from kiosk.flow.state import Step
from kiosk.speech.notices import NOTICES

# What is said on arriving at each step (before its notice, details and choices).
STEPS: dict[Step, tuple[str, str]] = {
    Step.HOME: (
        "Xin chào. Để đăng ký khám, hãy đặt thẻ căn cước lên đầu đọc. "
        "Hoặc dùng phím mũi tên để nghe các lựa chọn, rồi nhấn phím chọn.",
        "Welcome. To register for a visit, place your ID card on the reader. "
        "Or use the arrow keys to hear the choices, then press select.",
    ),
    Step.IDENTIFY: (
        "Hãy đặt thẻ căn cước lên đầu đọc. Hoặc nhập số căn cước, hay mã bảo hiểm xã hội, "
        "bằng các phím số, rồi nhấn phím chọn. Nhấn phím quay lại để hủy.",
        "Place your ID card on the reader. Or type your ID number, or your social insurance number, "
        "on the number keys, then press select. Press back to cancel.",
    ),
    Step.FINDING_PATIENT: (
        "Đang tìm hồ sơ, vui lòng chờ. Xin giữ thẻ trên đầu đọc.",
        "Finding your record, please wait. Keep your card on the reader.",
    ),
    Step.CHECKING_ENTITLEMENT: (
        "Đang kiểm tra thẻ bảo hiểm y tế, vui lòng chờ.",
        "Checking your health insurance, please wait.",
    ),
    Step.ENTITLEMENT_PROBLEM: (
        "Thẻ bảo hiểm y tế không dùng được.",
        "Your health insurance card cannot be used.",
    ),
    Step.VISIT_TYPE: ("Chọn hình thức khám.", "How will you pay for the visit?"),
    Step.DEPARTMENT: (
        "Chọn khoa khám. Dùng phím mũi tên để nghe từng khoa, rồi nhấn phím chọn.",
        "Choose a department. Use the arrow keys to hear each one, then press select.",
    ),
    Step.PRICING: ("Đang lấy giá khám, vui lòng chờ.", "Getting the exam fee, please wait."),
    Step.CONFIRM: ("Xác nhận thông tin.", "Please confirm."),
    Step.ISSUING: ("Đang lấy số thứ tự, vui lòng chờ.", "Getting your queue number, please wait."),
    Step.OPENING_PAYMENT: ("Đang tạo mã thanh toán, vui lòng chờ.", "Preparing the payment, please wait."),
    Step.PAYING: (
        "Trả tiền khám bằng mã QR trên màn hình: mở ứng dụng ngân hàng trên điện thoại, quét mã, kiểm tra số tiền "
        "rồi xác nhận. Ki-ốt sẽ in số thứ tự khi ngân hàng xác nhận.",
        "Pay the exam fee with the QR code on the screen: open your banking app, scan the code, check the amount "
        "and confirm. The kiosk prints your number once the bank confirms.",
    ),
    Step.PRINTING: ("Đang in phiếu, vui lòng chờ.", "Printing your ticket, please wait."),
    Step.DONE: (
        "Vui lòng lấy phiếu ở khe máy in, bên dưới màn hình.",
        "Please take your ticket from the printer slot, below the screen.",
    ),
    Step.SCREEN_TICKET: (
        "Máy in đang lỗi, phiếu chỉ hiện trên màn hình. Xin hãy nhớ số thứ tự, hoặc nhờ nhân viên giúp.",
        "The printer is not working; the ticket is only on the screen. Please remember your number, or ask staff.",
    ),
    Step.DESK_SLIP_PRINTING: ("Đang in phiếu hướng dẫn, vui lòng chờ.", "Printing your slip, please wait."),
    Step.DESK: (
        "Vui lòng đến quầy tiếp đón, và đưa phiếu vừa in cho nhân viên.",
        "Please go to the reception desk, and give the slip to the staff.",
    ),
    Step.BENEFIT: ("Quyền lợi bảo hiểm y tế của bạn.", "Your health insurance benefits."),
    Step.HUB_FAILED: ("Hệ thống đang bận.", "The system is busy."),
    Step.PRINTER_NOT_READY: (
        "Máy in chưa sẵn sàng. Bạn có thể nhận số thứ tự trên màn hình, hoặc đến quầy tiếp đón.",
        "The printer is not ready. You can get your number on the screen, or go to the reception desk.",
    ),
    Step.MAINTENANCE_PIN: ("Màn hình dành cho nhân viên kỹ thuật. Vui lòng nhập mã.", "Staff only. Enter the PIN."),
    Step.MAINTENANCE: ("Bảo trì ki-ốt, dành cho nhân viên kỹ thuật.", "Kiosk maintenance, for staff only."),
}

# The choices a focus ring offers, by the id the tactile navigator gives them.
CHOICES: dict[str, tuple[str, str]] = {
    "check_in": ("Đăng ký khám bệnh", "Register for a visit"),
    "benefit_lookup": ("Tra cứu quyền lợi bảo hiểm y tế", "Check my insurance benefits"),
    "language": ("English. Chuyển sang tiếng Anh", "Tiếng Việt. Switch to Vietnamese"),
    "submit": ("Tiếp tục", "Continue"),
    "bhyt": ("Khám bảo hiểm y tế", "Use my health insurance"),
    "fee": ("Khám dịch vụ, tự trả tiền", "Pay for the visit myself"),
    "desk": ("Đến quầy tiếp đón", "Go to the reception desk"),
    "get_ticket": ("Lấy số thứ tự", "Get my ticket"),
    "pregnant": ("Tôi đang mang thai", "I am pregnant"),
    "disability": ("Tôi là người khuyết tật", "I have a disability"),
    "try_again": ("Thử lại", "Try again"),
    "ticket_on_screen": ("Hiện số thứ tự trên màn hình", "Show my number on the screen"),
    "back": ("Quay lại", "Back"),
    "cancel": ("Hủy", "Cancel"),
    "finish": ("Xong, kết thúc", "Done, finish"),
    "repeat_ticket": ("Nghe lại số thứ tự", "Hear my ticket again"),
    "pay": ("Thanh toán tiền khám bằng mã QR", "Pay the exam fee by QR code"),
    "repeat_payment": ("Nghe lại số tiền", "Hear the amount again"),
    "pay_later": ("Lấy số, trả sau bằng điện thoại", "Take the number, pay later by phone"),
}

# Sentences with values, for details read out on some steps.
PHRASES: dict[str, tuple[str, str]] = {
    "speech.on": (
        "Đã bật hướng dẫn bằng giọng nói. Nhấn phím trợ giúp để nghe cách dùng các phím.",
        "Voice guidance is on. Press the help key to hear how the keys work.",
    ),
    "help.keys": (
        "Phím mũi tên lên và xuống để nghe các lựa chọn. Phím chọn để xác nhận. Phím quay lại để trở về. "
        "Phím nhắc lại để nghe lại. Phím cộng và trừ để chỉnh âm lượng.",
        "Up and down arrows move between the choices. Select confirms. Back goes back. "
        "Repeat says it again. Plus and minus change the volume.",
    ),
    "call_staff.calling": ("Đang gọi nhân viên tiếp đón.", "Calling the reception staff."),
    "call_staff.sent": (
        "Đã báo nhân viên tiếp đón. Xin chờ tại ki-ốt, nhân viên sẽ đến.",
        "The reception staff have been told. Please wait at the kiosk; someone is coming.",
    ),
    "call_staff.hub_away": (
        "Không gửi được yêu cầu hỗ trợ. Xin mời đến quầy tiếp đón.",
        "The call for help could not be sent. Please go to the reception desk.",
    ),
    "help.digits": (
        "Các phím số để nhập số. Phím xóa để xóa số vừa nhập.",
        "The number keys type your number. Erase removes the last digit.",
    ),
    "focus.position": ("{label}. Mục {index} trên {count}.", "{label}. {index} of {count}."),
    "focus.selected": ("Đã chọn.", "Selected."),
    "focus.not_selected": ("Chưa chọn.", "Not selected."),
    "typed.digit": ("{digit}", "{digit}"),
    "typed.erased": ("Đã xóa. Còn {count} số.", "Erased. {count} digits left."),
    "typed.empty": ("Chưa nhập số nào.", "Nothing typed yet."),
    "volume.level": ("Âm lượng {level} trên {count}.", "Volume {level} of {count}."),
    "idle.warning": (
        "Bạn còn ở đây không? Phiên sẽ kết thúc sau {seconds} giây. Nhấn phím bất kỳ để có thêm thời gian.",
        "Are you still there? This session ends in {seconds} seconds. Press any key for more time.",
    ),
    "idle.reminder": (
        "Còn {seconds} giây. Nhấn phím bất kỳ để tiếp tục.",
        "{seconds} seconds left. Press any key to go on.",
    ),
    "ticket.number": ("Số thứ tự của bạn là {number}.", "Your queue number is {number}."),
    "ticket.priority": ("Bạn được xếp hàng ưu tiên.", "You are in the priority queue."),
    "ticket.where": ("Mời bạn đến {department}, {room}, {location}.", "Please go to {department}, {room}, {location}."),
    "ticket.position": (
        "Còn {count} người trước bạn, khoảng {minutes} phút.",
        "{count} people are ahead of you, about {minutes} minutes.",
    ),
    "ticket.provisional": (
        "Đây là số tạm vì mạng bệnh viện đang gián đoạn. Vui lòng xác nhận tại quầy tiếp đón.",
        "This is a provisional number because the hospital network is down. Please confirm it at the reception desk.",
    ),
    "ticket.provisional_bhyt": (
        "Đây là số tạm vì mạng bệnh viện đang gián đoạn. "
        "Thẻ bảo hiểm y tế chưa được kiểm tra, quầy tiếp đón sẽ kiểm tra.",
        "This is a provisional number because the hospital network is down. "
        "Your insurance card is not checked yet; the reception desk will check it.",
    ),
    "ticket.reprint": (
        "Bạn đã đăng ký hôm nay, phiếu cũ được in lại.",
        "You registered today; your ticket is printed again.",
    ),
    "department.item": (
        "{name}, {location}. {count} người đang chờ, khoảng {minutes} phút.",
        "{name}, {location}. {count} waiting, about {minutes} minutes.",
    ),
    "department.item_closed": ("{name}. Đã đóng cửa.", "{name}. Closed now."),
    "department.loading": ("Đang tải danh sách khoa, vui lòng chờ.", "Loading the departments, please wait."),
    "confirm.summary": ("Khám {visit}, tại {department}.", "{visit} visit, at {department}."),
    "confirm.visit_bhyt": ("bảo hiểm y tế", "health insurance"),
    "confirm.visit_fee": ("dịch vụ", "fee-paying"),
    "confirm.priority": ("Bạn được ưu tiên.", "You have priority."),
    "benefit.percent": (
        "Bạn được hưởng {percent} phần trăm chi phí trong phạm vi bảo hiểm.",
        "You are covered for {percent} percent of covered costs.",
    ),
    "benefit.valid_to": ("Thẻ có hạn đến ngày {day} tháng {month} năm {year}.", "The card is valid until {date}."),
    "benefit.here": ("Nơi đăng ký ban đầu là bệnh viện này.", "Your registered facility is this hospital."),
    "benefit.elsewhere": ("Nơi đăng ký ban đầu là cơ sở khác.", "Your registered facility is another one."),
    "desk.not_printed": (
        "Máy in đang lỗi. Vui lòng đến quầy tiếp đón và báo nhân viên.",
        "The printer is not working. Please go to the reception desk and tell the staff.",
    ),
    "benefit.next": ("Bạn có thể đăng ký khám ngay.", "You can register for a visit now."),
    "confirm.fee": (
        "Tiền khám là {amount} đồng, trả bằng mã QR trước khi lấy số.",
        "The exam fee is {amount} dong, paid by QR code before the number.",
    ),
    "confirm.fee_at_cashier": ("Tiền khám nộp tại quầy thu ngân.", "The exam fee is paid at the cashier."),
    "payment.amount": ("Số tiền cần trả là {amount} đồng.", "The amount to pay is {amount} dong."),
    "payment.account": ("Tiền chuyển vào tài khoản {name}.", "The money goes to the account of {name}."),
    "payment.time_left": (
        "Mã còn dùng được khoảng {minutes} phút.",
        "The code works for about {minutes} more minutes.",
    ),
    "payment.confirmed": (
        "Ngân hàng đã xác nhận, đang cấp số thứ tự.",
        "The bank confirmed it; your number is coming.",
    ),
    "ticket.paid": ("Đã thanh toán {amount} đồng.", "Paid: {amount} dong."),
    "ticket.unpaid": (
        "Chưa thanh toán. Mã để trả {amount} đồng được in trên phiếu; hãy quét bằng ứng dụng ngân hàng.",
        "Not paid yet. The code to pay {amount} dong is printed on the ticket; scan it with your banking app.",
    ),
    "ticket.pay_at_cashier": ("Vui lòng nộp tiền khám tại quầy thu ngân.", "Please pay the exam fee at the cashier."),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


_SENTENCE_START = re.compile(r"(^|[.!?]\s+)(\w)")


def _finish(text: str, language: str) -> str:
    """Numbers as words, and a capital at each sentence start (a number in words may now begin one)."""
    spoken = numbers_as_words(unicodedata.normalize("NFC", text), language)
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), spoken)


def step_text(step: Step, language: str) -> str:
    return _finish(_pick(STEPS[step], language), language)


def choice_text(choice_id: str, language: str) -> str:
    return _finish(_pick(CHOICES[choice_id], language), language)


def phrase(key: str, language: str, **values: object) -> str:
    """A sentence with its values filled in; numbers in the values are said as words."""
    return _finish(_pick(PHRASES[key], language).format(**values), language)


def fragment(key: str, language: str) -> str:
    """Part of a sentence (no capital letter added), e.g. the visit kind inside the confirmation."""
    return numbers_as_words(_pick(PHRASES[key], language), language)


def notice_text(key: str, language: str) -> str:
    """The spoken form of a message key; an unknown key falls back to a generic sentence, never to the key."""
    fallback = "hub.error" if key.startswith("hub.") else "entitlement.unknown_result"
    return _finish(_pick(NOTICES.get(key) or NOTICES[fallback], language), language)
