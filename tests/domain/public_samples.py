"""Payloads in the shapes found in public Vietnamese HIS / kiosk code, with where each was found.

Samples that public code labels as specimen cards ("thẻ mẫu") are copied verbatim. Samples that look like a
real person's card are pseudonymised: the structure is kept byte for byte (field count, separators, empty fields,
hex encoding, date formats, sex/century digit), the name, numbers and address are replaced. Where the code index
we searched gave a file's text but not its repository, the file is described as precisely as we could.
"""

from __future__ import annotations

import re

# --- BHYT QR -------------------------------------------------------------------------------------------------
# New-generation specimen card (10-digit code, 16 fields + `|$`, address `-`, facility with a letter, leading space
# on the five-year date, field 15 = issuing district as hex). Verbatim from a public Python test of
# `app.structured.qr.parse_bhyt_qr`, decoded from its sample image `samples/bhyt/tien-dat.jpeg` (repository not
# resolvable with our index; stored file id 55968543429).
BHYT_QR_NEW_SPECIMEN = (
    "0111077012|4e677579e1bb856e205469e1babf6e20c490e1baa174|29/03/1988|1|-|"
    "01 - C54|01/07/2023|-|31/07/2023|01050111077012|-|4| 01/10/2027|"
    "4641c59ff02659c3-1202|4|"
    "5175e1baad6e2043e1baa775204769e1baa5792c205468c3a06e68207068e1bb912048c3a0204ee1bb9969|$"
)

# Old-generation specimen card (15-char code HS-4-01, 10 fields + `|$`, address as hex in field 4, open end date).
# Verbatim from the same public test file (QR_OLD).
BHYT_QR_OLD_SPECIMEN = (
    "HS4010120878837|56c5a9205875c3a26e204d696e68|07/09/2008|1|"
    "5068c6b0e1bb9d6e67204e6768c4a96120c490c3b42c205175e1baad6e2043e1baa775204769e1baa5792c"
    "205468c3a06e68207068e1bb912048c3a0204ee1bb9969|01 - 028|24/01/2019|-|24/01/2019|$"
)

# New-generation card of a real person in a comment of a public C# HIS form (a WinForms BHYT check screen that
# reads `thebhyt2018.ngayDu5Nam`; stored file id 29376608218). Pseudonymised: name hex → "Trần Văn Bình", digits
# of the code / BHXH number / checksum changed; facility `79 - 034`, dates and field layout kept.
BHYT_QR_HCM_PSEUDONYMISED = (
    "0204000001|5472e1baa76e2056c4836e2042c3ac6e68|30/07/1981|1|-|79 - 034|01/02/2021|-|20/02/2021|"
    "79020204000001|-|4| 01/01/2015|0000000000000000-0000|4|"
    "5175e1baad6e2031322c205468c3a06e68207068e1bb912048e1bb93204368c3ad204d696e68|$"
)

# Old-generation card (DN-4-01, 14 fields + `|$`, female, employer's address as hex, five-year date, a checksum
# of 15 + 4 hex digits, not the 16 + 4 of newer cards) in a comment of a public C# HIS registration form (stored
# file ids 16113903967 / 16068108432, "Ma the cu"). Pseudonymised: name hex → "Phạm Thị Hà", code digits changed.
BHYT_QR_OLD_14_FIELDS_PSEUDONYMISED = (
    "DN4010100000005|5068e1baa16d205468e1bb8b2048c3a0|20/10/1990|2|43747920435020434e5454205669e1bb8774204261|"
    "01 - 065|09/01/2018|-|10/01/2018|01090100000005|-|4| 01/08/2019|7ea4e8f446328cc-7102|$"
)

# --- CCCD QR -------------------------------------------------------------------------------------------------
# A card with an old CMND number, from a comment in a public Laravel controller that reads the QR through a
# scanner bridge (`getDataFromCCCD`, stored file id 1236730719). Pseudonymised: An Giang province (089), sex and
# century digit 2 (male, 2000s) and all formats kept; name, serials and address replaced.
CCCD_QR_WITH_OLD_ID_PSEUDONYMISED = (
    "089202000001|350000001|Lê Văn Bảy|23052002|Nam|Ấp An Thái, Hòa Bình, Chợ Mới, An Giang|31122021"
)

# A card with the old-ID field EMPTY (`||`), from a comment in a public Java Swing citizen-records app
# (stored file id 18466687389). Pseudonymised as above (province 049, digit 2).
CCCD_QR_EMPTY_OLD_ID_PSEUDONYMISED = "049202000002||Khuất Văn Hoà|24022002|Nam|Cẩm Yên, Thạch Thất, Hà Nội|31052021"

# A sample that public code gets WRONG: six fields, the old-ID field missing altogether. Verbatim from
# phalconsupply/phongkham docs/QR_SCANNER.md. The kiosk must refuse it rather than shift every field by one.
CCCD_QR_SIX_FIELDS_FROM_DOCS = (
    "001234567890|NGUYEN VAN A|01011990|Nam|123 Duong ABC, Phuong XYZ, Quan 1, TP HCM|01012020"
)

# --- BHXH maKetQua -------------------------------------------------------------------------------------------
# The 27 codes of `insurance_error_code` in tracnn/qlbv_public config/__tech.php (a public HIS quality tool that
# calls KQNhanLichSuKCB2024).
# Kept in the file's order on one line, to compare by eye.
QLBV_INSURANCE_ERROR_CODES = tuple(
    re.findall(
        r"[0-9]{3}",
        "000 001 002 003 004 010 051 052 053 050 060 061 070 100 101 110 120 121 122 123 124 130 205 401 500 054 055",
    )
)
# Older catalogues in public PHP HIS code also list 080 (wrong sex) and 090 (wrong registered facility).
OLDER_CATALOGUE_EXTRA_CODES = ("080", "090")
