"""Synthetic BHYT cards and their owners: between them they make the gateway answer every maKetQua.

Used by the loopback gateway simulator and by the demo HIS's seed, so a demo patient's card check gives the
result its card is made for. All people here are invented; numbers follow the formats, not real cards.
"""

from __future__ import annotations

from dataclasses import dataclass

# (maKetQua, beneficiary group, benefit level, full name, date of birth dd/mm/yyyy, sex 1/2)
_SCRIPT = [
    ("000", "DN", 4, "Nguyễn Văn An", "15/03/1985", "1"),
    ("000", "HT", 3, "Trần Thị Bình", "02/11/1948", "2"),
    ("000", "TE", 1, "Lê Minh Châu", "20/06/2022", "2"),
    ("000", "CC", 1, "Phạm Văn Dũng", "07/09/1950", "1"),
    ("001", "QN", 5, "Hoàng Quốc Em", "12/12/1990", "1"),
    ("002", "CA", 5, "Vũ Thị Giang", "30/04/1988", "2"),
    ("003", "HS", 4, "Đặng Văn Hải", "01/01/2007", "1"),
    ("004", "GD", 4, "Bùi Thị Hoa", "14/02/1979", "2"),
    ("010", "DN", 4, "Đỗ Văn Khoa", "22/08/1982", "1"),
    ("050", "DN", 4, "Hồ Thị Lan", "05/05/1995", "2"),
    ("051", "DN", 4, "Ngô Văn Long", "11/11/1991", "1"),
    ("052", "DN", 4, "Dương Thị Mai", "09/09/1989", "2"),
    ("053", "DN", 4, "Lý Văn Nam", "03/03/1993", "1"),
    ("054", "DN", 4, "Phan Thị Oanh", "18/07/1987", "2"),
    ("055", "DN", 4, "Trịnh Văn Phúc", "25/12/1975", "1"),
    ("060", "HC", 4, "Mai Thị Quyên", "16/10/1980", "2"),
    ("061", "HC", 4, "Cao Văn Sơn", "29/01/1984", "1"),
    ("070", "SV", 4, "Tạ Thị Thảo", "08/08/2003", "2"),
    ("100", "DN", 4, "Lương Văn Uy", "19/04/1970", "1"),
    ("101", "DN", 4, "Kiều Thị Vân", "27/06/1972", "2"),
    ("110", "DN", 4, "Đinh Văn Xuân", "13/01/1966", "1"),
    ("120", "DN", 4, "Chu Thị Yến", "21/03/1969", "2"),
    ("121", "DN", 4, "Lâm Văn Bảo", "06/06/1977", "1"),
    ("122", "DN", 4, "Quách Thị Cúc", "17/07/1978", "2"),
    ("123", "DN", 4, "Tô Văn Đạt", "28/02/1981", "1"),
    ("124", "DN", 4, "Văn Thị Hằng", "10/10/1983", "2"),
    ("130", "TE", 1, "Hà Gia Khánh", "01/02/2025", "1"),
    ("205", "DN", 4, "Âu Thị Linh", "04/04/1994", "2"),
    ("401", "DN", 4, "Mạc Văn Minh", "23/05/1986", "1"),
    ("500", "DN", 4, "La Thị Ngọc", "12/03/1992", "2"),
]


@dataclass(frozen=True)
class DemoCard:
    result_code: str
    card_code: str  # 15 characters: group, level, province 01, BHXH number
    bhxh_number: str
    id_number: str
    full_name: str
    date_of_birth: str  # dd/mm/yyyy as the gateway writes it
    sex: str  # "1" male, "2" female (gateway), as on the BHYT QR
    registered_facility: str = "01043"
    valid_from: str = "01/01/2026"
    valid_to: str = "31/12/2026"
    five_year_date: str = "01/01/2024"

    @property
    def iso_date_of_birth(self) -> str:
        day, month, year = self.date_of_birth.split("/")
        return f"{year}-{month}-{day}"

    @property
    def new_card_code(self) -> str:
        """The card issued to replace this one (answers 003/004)."""
        return self.card_code[:3] + "79" + self.bhxh_number


def _make(index: int, row: tuple[str, str, int, str, str, str]) -> DemoCard:
    code, group, level, name, dob, sex = row
    bhxh = f"01{index:08d}"
    year = int(dob[-4:])
    century_sex = (0 if year < 2000 else 2) + (0 if sex == "1" else 1)
    id_number = f"001{century_sex}{dob[-2:]}{index:06d}"
    card = DemoCard(code, f"{group}{level}01{bhxh}", bhxh, id_number, name, dob, sex)
    if code == "010":
        card = DemoCard(**{**card.__dict__, "valid_from": "01/01/2024", "valid_to": "31/12/2024"})
    if code == "003":
        card = DemoCard(**{**card.__dict__, "valid_from": "01/01/2025", "valid_to": "31/12/2025"})
    if index % 3 == 1:
        card = DemoCard(**{**card.__dict__, "registered_facility": "01001"})  # registered at another hospital
    return card


DEMO_CARDS: tuple[DemoCard, ...] = tuple(_make(i + 1, row) for i, row in enumerate(_SCRIPT))


def card_for_result(code: str) -> DemoCard:
    """The first demo card made to produce this maKetQua."""
    return next(c for c in DEMO_CARDS if c.result_code == code)
