"""Names the dead-code check (vulture, run by scripts/run_tests.py) must not report: each is used, but where vulture
cannot see it (a .kv rule, a framework calling it by name, a field only serialised). Grouped by who owns them."""

# ruff: noqa: B018, F821

# --- kiosk ------------------------------------------------------------------------------------------------------
# Pydantic reads these; the fields travel in JSON (the hub, the console and heartbeats read them).
model_config
header_en
footer_en
logo_png_base64
uptime_seconds
# The out-of-service panel's .kv rule reads these (kiosk/screens/out_of_service.kv).
title_vi
title_en
reason_vi
reason_en
desk_vi
desk_en
for_it
# The console script weston's [autolaunch] starts (pyproject.toml: kiosk-panel).
panel_main
# httpx calls a transport's hook by name.
handle_async_request
# Carried with every scan, for IT's log and the tests of the camera (kiosk.hardware.camera.port.QrScan).
seen_at
# The card's status words, named for what they mean even where the kiosk only passes them on.
WRONG_OFFSET
# The fake chip reader's fault API: a reader unplugged can be plugged in again.
plug_in
# Compared as part of what makes a screen new for the ear (kiosk.speech.guide._Screen).
departments_loaded
# Kivy calls these by name (App, Screen, Widget events) or the screens' .kv rules use them.
build
on_stop
on_enter
on_leave
on_kv_post
toggle_pregnant
toggle_disability
start_check_in
start_lookup
StatusDot
hospital_tapped
toggle_large_text
toggle_high_contrast
switch_language
header_text
primary_text
danger
min_height
_.size_hint_y
_.size_hint
_.transition
_.mag_filter
_.min_filter

# --- tests ------------------------------------------------------------------------------------------------------
_.optionxform  # configparser: keep the case of systemd's keys
_.should_exit  # uvicorn's server stops when it is set
error_level  # a parsed QR's error level, for the assertions that read it
_.autocommit  # psycopg: CREATE DATABASE needs it
client_context  # tests/support/tls_pki.py (shared with the hub's TLS tests, which verify with it)

# Secure messaging ciphers a card may name in its PACEInfo (found by their arc, CipherSuite.from_arc).
AES_CBC_CMAC_192
AES_CBC_CMAC_256

# uvicorn reads these on its request cycle: keep_alive (answer with `connection: close`), disconnected (the
# client left: the app's receive() says so).
_.keep_alive
_.disconnected

# --- hub (kiosk_hub/) ------------------------------------------------------------------------------------------
# Framework-read fields: pydantic wire models, SQLAlchemy columns written and read by the database, the console's
# form rows read by the Jinja templates.
bhxh_note
token_type
gioiTinh
diaChi
maKV
maSoBHXH
maTheCu
dsLichSuKCB2018
created_at
call_seq
cancelled_at
checked_in_at
enrolled_at
config_reason
is_rollback
requested_by
granted_at
provisional_number
replayed_at
recheck_queued
metadata  # SQLAlchemy: the declarative base's table registry
minimum
maximum
help
_.maximum
_.minimum
_.config_reason
_.checked_in_at
_.cancelled_at
_.call_seq
# A release pin's author and time, shown on the kiosk's update history page (release_kiosk.html).
pinned_by
pinned_at
# The departments import's plan is printed whole (`ImportPlan.summary()` reads its fields by name).
rooms_hidden
# Departments kept by the HIS (the HIS adapter's sync writes this origin; the console and exports show it).
HIS
# An integration scope admins can grant (the console and CLI list every Scope); the event feed will check it.
REGISTRATIONS
# HIS adapters' factories: loaded by name from the entry-point group kiosk_hub.his_adapters (pyproject.toml).
demo_adapter
rest_adapter
fhir_adapter
# The BHYT check-in record's elements: written to the XML by name (kiosk_hub/bhxh/checkin.py, model_dump).
MA_LK
MA_BN
HO_TEN
MA_LY_DO_VNT
TEN_THUOC
TEN_VAT_TU
DU_PHONG
# Contract fields and table columns that travel or are kept for the HIS and IT, read by no hub code.
bhyt_covered
_.opened_at
_.entitlement_code
_.synced_at
_.ma_lk
# Payments: the console's payments page reads these in its template; the others are kept for the finance office
# and IT (where the price came from, when a payment was given up or got its ticket).
paid_vnd
raised_at
refunded_by
price_source
abandoned_at
ticket_issued_at
# A VietQR's bill number (62/01) as read back: part of what a decoded QR is compared with (tests/domain/test_vietqr.py).
bill_number
# pytest's hook, called by name (tests/conftest.py: the run removes its temporary key files).
pytest_sessionfinish
# Calling: fields the calling page's template reads (calling_room.html), and who changed a room's state and when
# (kept for IT).
_.waited_minutes
_.at_room
_.absent
_.changed_at
_.changed_by
# Named in kiosk/screens/root.kv: the call-for-help row's label class and its button's handler.
HelpBanner
ask_for_help
# pygal charts read their axis labels from this attribute (kiosk_hub/analytics/charts.py).
_.x_labels
