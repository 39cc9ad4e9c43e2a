"""BAC and secure messaging checked against the worked example of ICAO Doc 9303 Part 11, Appendix D.

The reader and the emulated test card are written by the same hands; this example, from the standard itself, is
what keeps them from sharing one mistake.
"""

from __future__ import annotations

import pytest

from kiosk.hardware.chip import crypto
from kiosk.hardware.chip.apdu import Command, split_status
from kiosk.hardware.chip.bac import open_bac_channel, session_keys
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.secure_messaging import SecureChannel, SecureMessagingError
from tests.hardware.chip.scripted_card import ScriptedCard, fixed_random

MRZ_INFORMATION = "L898902C<369080619406236"
H = bytes.fromhex


def test_key_seed_and_basic_access_keys() -> None:
    seed = crypto.key_seed(MRZ_INFORMATION)
    assert seed == H("239AB9CB282DAF66231DC5A4DF6BFBAE")
    k_enc, k_mac = session_keys(seed)
    assert k_enc == H("AB94FDECF2674FDFB9B391F85D7F76F2")
    assert k_mac == H("7962D9ECE03D1ACD4C76089DCE131543")


def test_mutual_authentication_derives_the_session_keys_of_the_example() -> None:
    card = ScriptedCard(
        [
            "4608F919887022129000",
            "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D74499000",
        ]
    )
    channel = open_bac_channel(
        card, MRZ_INFORMATION, fixed_random(["781723860C06C226", "0B795240CB7049B01C19B33E32804F0B"])
    )
    assert card.sent[0] == H("0084000008")
    assert card.sent[1] == H(
        "008200002872C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F25F1448EEA8AD90A728"
    )
    assert channel.ks_enc == H("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert channel.ks_mac == H("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert channel.ssc == 0x887022120C06C226


def _example_channel() -> SecureChannel:
    return SecureChannel(
        H("979EC13B1CBFE9DCD01AB0FED307EAE5"), H("F1CB1F1FB5ADF208806B89DC579DC1F8"), 0x887022120C06C226
    )


def test_secure_messaging_select_and_two_reads_of_the_example() -> None:
    channel = _example_channel()
    assert channel.wrap(Command(0x00, 0xA4, 0x02, 0x0C, H("011E")), extended=False) == H(
        "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"
    )
    data, sw = channel.unwrap(*split_status(H("990290008E08FA855A5D4C50A8ED9000")), "SELECT")
    assert (data, sw) == (b"", 0x9000)

    assert channel.wrap(Command(0x00, 0xB0, 0x00, 0x00, le=4), extended=False) == H(
        "0CB000000D9701048E08ED6705417E96BA5500"
    )
    data, sw = channel.unwrap(*split_status(H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")), "READ")
    assert (data, sw) == (H("60145F01"), 0x9000)

    assert channel.wrap(Command(0x00, 0xB0, 0x00, 0x04, le=0x12), extended=False) == H(
        "0CB000040D9701128E082EA28A70F3C7B53500"
    )
    response = "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"
    data, sw = channel.unwrap(*split_status(H(response)), "READ")
    assert data == H("04303130365F36063034303030305C026175")


def test_a_response_with_a_wrong_mac_is_refused() -> None:
    channel = _example_channel()
    channel.wrap(Command(0x00, 0xA4, 0x02, 0x0C, H("011E")), extended=False)
    with pytest.raises(SecureMessagingError):
        channel.unwrap(*split_status(H("990290008E08FA855A5D4C50A8EE9000")), "SELECT")


def test_a_card_refusing_the_key_is_a_wrong_key_error() -> None:
    card = ScriptedCard(["4608F919887022129000", "6300"])
    with pytest.raises(ChipError) as caught:
        open_bac_channel(card, MRZ_INFORMATION)
    assert caught.value.code is ChipErrorCode.WRONG_KEY
