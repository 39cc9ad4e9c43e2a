"""PACE with the generic mapping, checked against the worked examples of ICAO Doc 9303 Part 11 ("PACE – generic
mapping", informative appendix): the ECDH example on brainpoolP256r1 and the DH example on the 1024-bit MODP group,
both id-PACE-*-GM-AES-CBC-CMAC-128 with the MRZ password of document T22000129 (born 12 August 1964, expiring
31 October 2010). The emulated card is written by the same hands as the reader; these values are not.
"""

from __future__ import annotations

import hashlib

import pytest

from kiosk.hardware.chip.crypto import KeyPurpose
from kiosk.hardware.chip.errors import ChipError, ChipErrorCode
from kiosk.hardware.chip.key_agreement import DhGroup, EcGroup, KeyAgreementError
from kiosk.hardware.chip.pace import PaceRefusedError, authentication_token, open_pace_channel
from kiosk.hardware.chip.security_infos import Agreement, PaceInfo, parse_security_infos
from kiosk.hardware.chip.sm_cipher import AES, CipherSuite, derive_key
from kiosk.hardware.chip.standard_groups import STANDARD_GROUPS
from tests.hardware.chip.scripted_card import ScriptedCard, fixed_random

H = bytes.fromhex
MRZ_INFORMATION = "T22000129364081251010318"
K_PI = "89DED1B26624EC1E634C1989302849DD"
ECDH_PROTOCOL, DH_PROTOCOL = "0.4.0.127.0.7.2.2.4.2.2", "0.4.0.127.0.7.2.2.4.1.2"

# ECDH example (brainpoolP256r1)
EC_NONCE_ENCRYPTED, EC_NONCE = "95A3A016522EE98D01E76CB6B98B42C3", "3F00C4D39D153F2B2A214A078D899B22"
EC_MAP_PRIVATE = "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99"
EC_MAP_PUBLIC = (
    "047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
    "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D"
)
EC_CHIP_MAP = (
    "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
    "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"
)
EC_MAPPED_G = (
    "048CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2"
    "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522"
)
EC_EPH_PRIVATE = "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"
EC_EPH_PUBLIC = (
    "042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
    "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"
)
EC_CHIP_EPH = (
    "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
    "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
)
EC_SHARED = "28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925"
EC_KS_ENC, EC_KS_MAC = "F5F0E35C0D7161EE6724EE513A0D9A7F", "FE251C7858B356B24514B3BD5F4297D1"
EC_TOKEN_IFD, EC_TOKEN_IC = "C2B0BD78D94BA866", "3ABB9674BCE93C08"


def test_the_card_access_of_the_example_offers_ecdh_generic_mapping_on_brainpool_p256r1() -> None:
    infos = parse_security_infos(H("3114301206" + "0A04007F0007020204020202010202010D"))
    assert infos.pace == (PaceInfo(ECDH_PROTOCOL, Agreement.ECDH, CipherSuite.AES_CBC_CMAC_128, 13),)
    assert STANDARD_GROUPS[13] == EcGroup(STANDARD_GROUPS[13].curve)  # type: ignore[attr-defined]
    assert STANDARD_GROUPS[13].curve.name == "BRAINPOOLP256r1"  # type: ignore[attr-defined]


def test_the_password_key_of_the_example() -> None:
    password = hashlib.sha1(MRZ_INFORMATION.encode()).digest()
    assert password == H("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD")
    assert derive_key(password, KeyPurpose.PACE, CipherSuite.AES_CBC_CMAC_128) == H(K_PI)
    assert AES.plain_cbc(H(K_PI), H(EC_NONCE_ENCRYPTED), decrypt=True) == H(EC_NONCE)


def test_the_ecdh_generic_mapping_of_the_example() -> None:
    group = STANDARD_GROUPS[13]
    private = int(EC_MAP_PRIVATE, 16)
    assert group.public_key(private) == H(EC_MAP_PUBLIC)
    mapped = group.mapped(int(EC_NONCE, 16), private, H(EC_CHIP_MAP))
    assert mapped.public_key(1) == H(EC_MAPPED_G)
    assert mapped.public_key(int(EC_EPH_PRIVATE, 16)) == H(EC_EPH_PUBLIC)
    assert mapped.shared_secret(int(EC_EPH_PRIVATE, 16), H(EC_CHIP_EPH)) == H(EC_SHARED)


def _ecdh_card(last_answer: str = f"7C0A8608{EC_TOKEN_IC}9000") -> ScriptedCard:
    return ScriptedCard(
        [
            "9000",
            f"7C128010{EC_NONCE_ENCRYPTED}9000",
            f"7C438241{EC_CHIP_MAP}9000",
            f"7C438441{EC_CHIP_EPH}9000",
            last_answer,
        ]
    )


def test_pace_over_ecdh_sends_the_commands_of_the_example_and_derives_its_session_keys() -> None:
    card = _ecdh_card()
    info = PaceInfo(ECDH_PROTOCOL, Agreement.ECDH, CipherSuite.AES_CBC_CMAC_128, 13)
    channel = open_pace_channel(
        card, info, MRZ_INFORMATION, random_bytes=fixed_random([EC_MAP_PRIVATE, EC_EPH_PRIVATE])
    )
    assert card.sent == [
        H("0022C1A40F800A04007F00070202040202830101"),
        H("10860000027C0000"),
        H(f"10860000457C438141{EC_MAP_PUBLIC}00"),
        H(f"10860000457C438341{EC_EPH_PUBLIC}00"),
        H(f"008600000C7C0A8508{EC_TOKEN_IFD}00"),
    ]
    assert (channel.ks_enc, channel.ks_mac, channel.ssc) == (H(EC_KS_ENC), H(EC_KS_MAC), 0)
    assert channel.block == 16


def test_a_card_refusing_the_kiosk_token_is_a_wrong_key() -> None:
    info = PaceInfo(ECDH_PROTOCOL, Agreement.ECDH, CipherSuite.AES_CBC_CMAC_128, 13)
    with pytest.raises(ChipError) as caught:
        open_pace_channel(
            _ecdh_card("6300"), info, MRZ_INFORMATION, random_bytes=fixed_random([EC_MAP_PRIVATE, EC_EPH_PRIVATE])
        )
    assert caught.value.code is ChipErrorCode.WRONG_KEY


def test_a_card_token_that_does_not_match_is_refused() -> None:
    info = PaceInfo(ECDH_PROTOCOL, Agreement.ECDH, CipherSuite.AES_CBC_CMAC_128, 13)
    forged = f"7C0A8608{EC_TOKEN_IC[:-2]}099000"
    with pytest.raises(PaceRefusedError):
        open_pace_channel(
            _ecdh_card(forged), info, MRZ_INFORMATION, random_bytes=fixed_random([EC_MAP_PRIVATE, EC_EPH_PRIVATE])
        )


def test_a_mapping_key_off_the_curve_is_refused() -> None:
    group = STANDARD_GROUPS[13]
    off_curve = EC_CHIP_MAP[:-2] + "55"
    with pytest.raises(KeyAgreementError):
        group.mapped(int(EC_NONCE, 16), int(EC_MAP_PRIVATE, 16), H(off_curve))


# DH example (RFC 5114 1024-bit MODP group, parameter 0)
DH_NONCE_ENCRYPTED, DH_NONCE = "854D8DF5827FA6852D1A4FA701CDDDCA", "FA5B7E3E49753A0DB9178B7B9BD898C8"
DH_MAP_PRIVATE = "5265030F751F4AD18B08AC565FC7AC952E41618D"
DH_MAP_PUBLIC = (
    "23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3EB71C343DB13D1DEBCE9A3666DBCFC920"
    "B49174A602CB47965CAA73DC702489A44D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022D"
    "CB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C"
)
DH_CHIP_MAP = (
    "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E623EA5738B26381E4DA19E004706FACE7"
    "B235C2DBF2F38748312F3C98C2DD4882A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F24"
    "49400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6"
)
DH_MAPPED_G = (
    "7C9CBFE98F9FBDDA8D143506FA7D9306F4CB17E3C71707AFF5E1C1A12370249684D64EE37AF44B8DBD9D45BF6023919C"
    "BAA027AB97ACC771666C8E98FF483301BFA4872DEDE9034EDFACB70814166B7F360676829B826BEA57291B5AD69FBC84"
    "EF1E779032A305803F74341793E869742D401325B37EE8565FFCDEE618342DC5"
)
DH_EPH_PRIVATE = "89CCD99B0E8D3B1F11E1296DCA68EC53411CF2CA"
DH_EPH_PUBLIC = (
    "907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD911551B9AE4D04369F29A02626C86FBC674"
    "7CC7BC352645B6161A2A42D44EDA80A08FA8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F431731722"
    "36B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4"
)
DH_CHIP_EPH = (
    "075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152BD8B3A213F53820C42ADC79AB5D0AEEC3"
    "AEFB91394DA476BD97B9B14D0A65C1FC71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064"
    "386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1"
)
DH_SHARED = (
    "6BABC7B3A72BCD7EA385E4C62DB2625BD8613B24149E146A629311C4CA6698E38B834B6A9E9CD7184BA8834AFF5043D4"
    "36950C4C1E7832367C10CB8C314D40E5990B0DF7013E64B4549E2270923D06F08CFF6BD3E977DDE6ABE4C31D55C0FA2E"
    "465E553E77BDF75E3193D3834FC26E8EB1EE2FA1E4FC97C18C3F6CFFFE2607FD"
)
DH_KS_ENC, DH_KS_MAC = "2F7F46ADCC9E7E521B45D192FAFA9126", "805A1D27D45A5116F73C54469462B7D8"
DH_TOKEN_IFD, DH_TOKEN_IC = "B46DD9BD4D98381F", "917F37B5C0E6D8D1"


def test_the_dh_generic_mapping_and_key_agreement_of_the_example() -> None:
    group = STANDARD_GROUPS[0]
    assert isinstance(group, DhGroup)
    assert AES.plain_cbc(H(K_PI), H(DH_NONCE_ENCRYPTED), decrypt=True) == H(DH_NONCE)
    assert group.public_key(int(DH_MAP_PRIVATE, 16)) == H(DH_MAP_PUBLIC)
    mapped = group.mapped(int(DH_NONCE, 16), int(DH_MAP_PRIVATE, 16), H(DH_CHIP_MAP))
    assert mapped.g == int(DH_MAPPED_G, 16)
    assert mapped.public_key(int(DH_EPH_PRIVATE, 16)) == H(DH_EPH_PUBLIC)
    assert mapped.shared_secret(int(DH_EPH_PRIVATE, 16), H(DH_CHIP_EPH)) == H(DH_SHARED)
    suite = CipherSuite.AES_CBC_CMAC_128
    assert derive_key(H(DH_SHARED), KeyPurpose.ENC, suite) == H(DH_KS_ENC)
    assert derive_key(H(DH_SHARED), KeyPurpose.MAC, suite) == H(DH_KS_MAC)
    chip_key, own_key = mapped.public_key_object(H(DH_CHIP_EPH)), mapped.public_key_object(H(DH_EPH_PUBLIC))
    assert authentication_token(suite, H(DH_KS_MAC), DH_PROTOCOL, chip_key) == H(DH_TOKEN_IFD)
    assert authentication_token(suite, H(DH_KS_MAC), DH_PROTOCOL, own_key) == H(DH_TOKEN_IC)


def test_pace_over_dh_opens_the_channel_of_the_example() -> None:
    card = ScriptedCard(
        [
            "9000",
            f"7C128010{DH_NONCE_ENCRYPTED}9000",
            f"7C81838281 80{DH_CHIP_MAP}9000".replace(" ", ""),
            f"7C81838481 80{DH_CHIP_EPH}9000".replace(" ", ""),
            f"7C0A8608{DH_TOKEN_IC}9000",
        ]
    )
    info = PaceInfo(DH_PROTOCOL, Agreement.DH, CipherSuite.AES_CBC_CMAC_128, 0)
    channel = open_pace_channel(
        card, info, MRZ_INFORMATION, random_bytes=fixed_random([DH_MAP_PRIVATE, DH_EPH_PRIVATE])
    )
    assert card.sent[0] == H("0022C1A40F800A04007F00070202040102830101")
    assert card.sent[2] == H(f"10860000867C8183818180{DH_MAP_PUBLIC}00")
    assert card.sent[3] == H(f"10860000867C8183838180{DH_EPH_PUBLIC}00")
    assert card.sent[4] == H(f"008600000C7C0A8508{DH_TOKEN_IFD}00")
    assert (channel.ks_enc, channel.ks_mac, channel.ssc) == (H(DH_KS_ENC), H(DH_KS_MAC), 0)


@pytest.mark.parametrize("number", [0, 1, 2])
def test_each_rfc_5114_group_generates_its_prime_order_subgroup(number: int) -> None:
    group = STANDARD_GROUPS[number]
    assert isinstance(group, DhGroup)
    assert pow(group.g, group.q, group.p) == 1
    assert (group.p - 1) % group.q == 0
    assert pow(2, group.p - 1, group.p) == 1  # Fermat: a transcription error would not survive this


def test_a_dh_value_outside_the_subgroup_is_refused() -> None:
    group = STANDARD_GROUPS[0]
    assert isinstance(group, DhGroup)
    with pytest.raises(KeyAgreementError):
        group.element((group.p - 1).to_bytes(group.size, "big"))  # order 2: a small-subgroup probe
