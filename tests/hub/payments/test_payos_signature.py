"""payOS's signature scheme against the vectors its documentation and its official SDK's tests publish, and against
the official SDK itself (PyPI `payos`) for any data a callback can carry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from payos._crypto.provider import CryptoProvider

from kiosk_hub.payments.payos_signature import canonical, sign, sign_payment_request, signed_by
from tests.domain.strategies import FAST

# payos.vn/docs/tich-hop-webhook/kiem-tra-du-lieu-voi-signature
DOCS_KEY = "1a54716c8f0efb2744fb28b6e38b25da7f67a925d98bc1c18bd8faaecadd7675"
DOCS_WEBHOOK = {
    "orderCode": 123,
    "amount": 3000,
    "description": "VQRIO123",
    "accountNumber": "12345678",
    "reference": "TF230204212323",
    "transactionDateTime": "2023-02-04 18:25:00",
    "currency": "VND",
    "paymentLinkId": "124c33293c43417ab7879e14c8d9eb18",
    "code": "00",
    "desc": "Thành công",
    "counterAccountBankId": "",
    "counterAccountBankName": "",
    "counterAccountName": "",
    "counterAccountNumber": "",
    "virtualAccountName": "",
    "virtualAccountNumber": "",
}
DOCS_CANONICAL = (
    "accountNumber=12345678&amount=3000&code=00&counterAccountBankId=&counterAccountBankName=&counterAccountName="
    "&counterAccountNumber=&currency=VND&desc=Thành công&description=VQRIO123&orderCode=123&paymentLinkId="
    "124c33293c43417ab7879e14c8d9eb18&reference=TF230204212323&transactionDateTime=2023-02-04 18:25:00"
    "&virtualAccountName=&virtualAccountNumber="
)
# payOSHQ/payos-lib-python tests/_crypto/testCases.json (key "test_checksum_key").
SDK_KEY = "test_checksum_key"
SDK_WEBHOOK = {
    "accountNumber": "0123456789",
    "amount": 20000,
    "description": "thanh toan",
    "reference": "FT-REFERENCE",
    "transactionDateTime": "2025-12-12 09:00:00",
    "virtualAccountNumber": "",
    "counterAccountBankId": "01202001",
    "counterAccountBankName": "",
    "counterAccountName": "NGUYEN VAN A",
    "counterAccountNumber": "9876543210",
    "virtualAccountName": "",
    "currency": "VND",
    "orderCode": 0,
    "paymentLinkId": "payment-link-id",
    "code": "00",
    "desc": "success",
}
SDK_PENDING_LINK = {
    "id": "payment-link-id",
    "orderCode": 0,
    "amount": 2000,
    "amountPaid": 0,
    "amountRemaining": 2000,
    "status": "PENDING",
    "createdAt": "2025-12-12T09:00:00+07:00",
    "transactions": [],
    "canceledAt": None,
    "cancellationReason": None,
}


def test_the_documentation_vector() -> None:
    assert canonical(DOCS_WEBHOOK) == DOCS_CANONICAL
    assert sign(DOCS_WEBHOOK, DOCS_KEY) == "412e915d2871504ed31be63c8f62a149a4410d34c4c42affc9006ef9917eaa03"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (SDK_WEBHOOK, "302b3becca1672dff99daafae2965f40e48ea3ca39453e4bf37fbcc26807a0e8"),
        (SDK_PENDING_LINK, "33093364158b143baa9ecd2e705d9a2a5a5d391a3cab7cb0a371588b3731368f"),
    ],
)
def test_the_sdk_vectors(data: dict[str, object], expected: str) -> None:
    assert sign(data, SDK_KEY) == expected
    assert signed_by(data, expected, SDK_KEY)
    assert signed_by(data, expected.upper(), SDK_KEY)
    assert not signed_by({**data, "amount": 1}, expected, SDK_KEY)
    assert not signed_by(data, None, SDK_KEY)


def test_a_payment_request_is_signed_over_five_fields() -> None:
    body = {
        "amount": 2000,
        "description": "Thanh toán đơn hàng",
        "orderCode": 0,
        "cancelUrl": "http://localhost",
        "returnUrl": "http://localhost",
        "items": [{"name": "x", "quantity": 1, "price": 2000}],
    }
    assert sign_payment_request(body, SDK_KEY) == "d8b7b0e5d19edfe7b1f53dedeb8d1c7c2b62fabd7eb320dbc514c58f13e9e2c5"


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.text(max_size=30),
    st.sampled_from(["null", "undefined", ""]),
    st.lists(
        st.dictionaries(
            st.sampled_from(["reference", "amount", "b", "a"]),
            st.one_of(st.none(), st.integers(0, 10**9), st.text(max_size=10)),
        ),
        max_size=3,
    ),
)


@FAST
@given(st.dictionaries(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ", min_size=1, max_size=12), values))
def test_any_data_is_signed_as_the_official_sdk_signs_it(data: dict[str, object]) -> None:
    assert sign(data, SDK_KEY) == CryptoProvider().create_signature_from_object(data, SDK_KEY)
