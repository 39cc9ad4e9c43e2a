"""How a queue ticket and a desk slip are laid out on 58 mm and 80 mm paper (pure: domain types in, blocks out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PIL import Image
from PIL.ImageFont import FreeTypeFont

from kiosk.domain.dates import VN_TZ
from kiosk.domain.ticket import DeskSlip, Lane, PaymentLine, QueueTicket, VisitType
from kiosk.domain.vietqr import format_vnd
from kiosk.hardware.printer.blocks import FONT_A_CELL, Block, FeedBlock, NumberBlock, PaperWidth, QrBlock, RasterBlock
from kiosk.hardware.printer.text_raster import Align, font, render_paragraph, rule

LANE_LABEL = {Lane.PRIORITY: "ƯU TIÊN", Lane.NORMAL: "THƯỜNG"}
VISIT_LABEL = {VisitType.BHYT: "Bảo hiểm y tế (BHYT)", VisitType.FEE: "Dịch vụ (tự chi trả)"}
# What the patient reads on a desk slip; the code itself is printed too so staff can look it up.
DESK_REASON_TEXT = {
    "desk": "Vui lòng đến quầy tiếp đón để được hỗ trợ.",
    "fee_or_desk": "Thẻ BHYT chưa dùng được hôm nay. Vui lòng đến quầy tiếp đón.",
    "use_new_card": "Thẻ BHYT đã được cấp lại. Vui lòng mang thẻ mới đến quầy tiếp đón.",
    "register_and_recheck": "Cần đăng ký thông tin tại quầy tiếp đón.",
    "configuration_fault": "Máy gặp sự cố cấu hình. Vui lòng đến quầy tiếp đón.",
    "guardian_flow": "Trẻ em cần người giám hộ làm thủ tục tại quầy tiếp đón.",
    "printer_fault": "Không in được số thứ tự. Vui lòng đến quầy tiếp đón.",
    "payment_unconfirmed": (
        "Ki-ốt chưa nhận được xác nhận thanh toán của ngân hàng. Nếu bạn đã chuyển tiền, vui lòng đến quầy thu ngân"
        " với mã thanh toán dưới đây; số thứ tự sẽ được cấp khi ngân hàng xác nhận."
    ),
    "payment_held": "Số tiền chuyển khoản không khớp tiền khám. Vui lòng đến quầy thu ngân để được hoàn tiền.",
    "payment_refund": "Đã nhận tiền nhưng không cấp được số thứ tự. Vui lòng đến quầy thu ngân để được hoàn tiền.",
}
DEFAULT_DESK_TEXT = "Vui lòng đến quầy tiếp đón để được hỗ trợ."


@dataclass(frozen=True, slots=True)
class _Sizes:
    title: int
    heading: int
    body: int
    small: int
    number_scale: int
    qr_module: int


_SIZES = {
    PaperWidth.MM58: _Sizes(title=24, heading=22, body=20, small=17, number_scale=5, qr_module=5),
    PaperWidth.MM80: _Sizes(title=30, heading=28, body=25, small=21, number_scale=7, qr_module=6),
}


def local_time_text(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y")


def provisional_notice(ticket: QueueTicket) -> list[str]:
    """What a provisional ticket (issued while the hub was unreachable) tells the patient under "SỐ TẠM": the number
    is confirmed at the desk, and for a BHYT visit that the card has not been checked yet (care is never refused for
    an insurance lookup that cannot be made: the patient is served, the check happens later), so nobody is surprised
    at the desk."""
    if not ticket.provisional:
        return []
    lines = ["Vui lòng xác nhận tại quầy tiếp đón"]
    if ticket.visit_type is VisitType.BHYT:
        lines.append("Chưa kiểm tra thẻ BHYT — sẽ kiểm tra tại quầy")
    return lines


def _centered(text: str, face: FreeTypeFont, dots: int, *, inverse: bool = False) -> list[Block]:
    lines = render_paragraph(text, face, dots, align=Align.CENTER, inverse=inverse)
    return [RasterBlock(image, centered=True) for image in lines]


def _left(text: str, face: FreeTypeFont, dots: int) -> list[Block]:
    return [RasterBlock(image) for image in render_paragraph(text, face, dots)]


def ticket_blocks(ticket: QueueTicket, paper: PaperWidth, logo: Image.Image | None = None) -> list[Block]:
    """The ticket from top to bottom: who prints it, where to go, the number, who it is for, when, and the QR."""
    s = _SIZES[paper]
    dots = int(paper)
    blocks: list[Block] = []
    if logo is not None:
        blocks.append(RasterBlock(_fit_logo(logo, dots), centered=True))
    blocks += _centered(ticket.hospital_name.upper(), font(s.title, bold=True), dots)
    blocks += _centered(ticket.department_name, font(s.heading, bold=True), dots)
    blocks.append(RasterBlock(rule(dots)))
    blocks += _centered("SỐ THỨ TỰ", font(s.body), dots)
    # A longer label ("UT-0003") is magnified less, so it stays on one line of the paper.
    scale = min(s.number_scale, dots // (FONT_A_CELL[0] * len(ticket.display_number)))
    blocks.append(NumberBlock(ticket.display_number, scale))
    lane = LANE_LABEL[ticket.lane]
    blocks += _centered(lane, font(s.heading, bold=True), dots, inverse=ticket.lane is Lane.PRIORITY)
    if ticket.provisional:
        blocks.append(FeedBlock(6))
        blocks += _centered("SỐ TẠM", font(s.body, bold=True), dots, inverse=True)
        for line in provisional_notice(ticket):
            blocks += _centered(line, font(s.small), dots)
    blocks.append(FeedBlock(8))
    blocks += _centered(ticket.room_name, font(s.heading, bold=True), dots)
    if ticket.room_location:
        blocks += _centered(ticket.room_location, font(s.body), dots)
    blocks.append(RasterBlock(rule(dots)))
    body = font(s.body)
    blocks += _left(f"Người bệnh: {ticket.patient_display_name.upper()}", body, dots)
    blocks += _left(f"Năm sinh: {ticket.patient_birth_year}", body, dots)
    blocks += _left(f"Đối tượng: {VISIT_LABEL[ticket.visit_type]}", body, dots)
    blocks += _left(f"Giờ in: {local_time_text(ticket.printed_at)}", body, dots)
    if ticket.wait_estimate_minutes is not None:
        wait = f"Thời gian chờ dự kiến: khoảng {ticket.wait_estimate_minutes} phút"
        blocks += _left(wait, body, dots)
    if ticket.payment is not None:
        blocks += _payment_blocks(ticket.payment, s, dots)
    blocks.append(FeedBlock(8))
    blocks.append(QrBlock(ticket.status_url, s.qr_module))
    caption = "Quét mã để xem số đang gọi"
    blocks += _centered(caption, font(s.small), dots)
    return blocks


def _payment_blocks(payment: PaymentLine, s: _Sizes, dots: int) -> list[Block]:
    """Paid: the amount, the bank's transaction and the memo. To pay later: the amount due and the VietQR."""
    body = font(s.body)
    blocks: list[Block]
    if payment.paid:
        blocks = _left(f"Đã thanh toán: {format_vnd(payment.amount_vnd)}", font(s.body, bold=True), dots)
        blocks += _left(f"Mã giao dịch: {payment.bank_reference}", body, dots)
        return blocks + _left(f"Nội dung CK: {payment.reference}", body, dots)
    due = f"CHƯA THANH TOÁN {format_vnd(payment.amount_vnd)}"
    blocks = [FeedBlock(6), *_centered(due, font(s.body, bold=True), dots, inverse=True)]
    if payment.vietqr:
        blocks += _centered("Quét mã VietQR bằng ứng dụng ngân hàng để trả tiền khám", font(s.small), dots)
        blocks.append(QrBlock(payment.vietqr, max(3, s.qr_module - 1)))
    if payment.account_name:
        blocks += _centered(payment.account_name, font(s.small), dots)
    return blocks + _centered(f"Nội dung CK: {payment.reference}", font(s.small, bold=True), dots)


def desk_slip_blocks(slip: DeskSlip, paper: PaperWidth) -> list[Block]:
    """The slip the patient takes to the desk: what to do, the reason code, and the data QR staff scan."""
    s = _SIZES[paper]
    dots = int(paper)
    blocks: list[Block] = []
    blocks += _centered(slip.hospital_name.upper(), font(s.title, bold=True), dots)
    blocks += _centered("PHIẾU ĐẾN QUẦY TIẾP ĐÓN", font(s.heading, bold=True), dots)
    blocks.append(RasterBlock(rule(dots)))
    text = DESK_REASON_TEXT.get(slip.reason_code, DEFAULT_DESK_TEXT)
    blocks += _left(text, font(s.body), dots)
    blocks += _left(f"Mã lý do: {slip.reason_code}", font(s.body, bold=True), dots)
    blocks += _left(f"Giờ in: {local_time_text(slip.printed_at)}", font(s.body), dots)
    if slip.payment is not None:
        blocks += _left(f"Mã thanh toán: {slip.payment.reference}", font(s.body, bold=True), dots)
        blocks += _left(f"Số tiền: {format_vnd(slip.payment.amount_vnd)}", font(s.body), dots)
    if slip.data_qr_payload:
        blocks.append(FeedBlock(8))
        # The payload can be long (a whole CCCD QR): smaller modules keep it inside 58 mm paper.
        blocks.append(QrBlock(slip.data_qr_payload, max(3, s.qr_module - 2)))
        blocks += _centered("Dành cho nhân viên quầy", font(s.small), dots)
    return blocks


def _fit_logo(logo: Image.Image, dots: int) -> Image.Image:
    """Scale the hospital's logo to at most 96 dots high, dithered to ink dots, centred."""
    image = logo.convert("L")
    scale = min(96 / image.height, (dots - 16) / image.width, 1.0)
    image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))))
    canvas = Image.new("L", (dots, image.height), 255)
    canvas.paste(image, ((dots - image.width) // 2, 0))
    return canvas.convert("1")
