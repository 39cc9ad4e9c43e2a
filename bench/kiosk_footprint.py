"""The installed kiosk's memory at the home screen, beside what the renderer alone costs on this machine.

Starts the real `kiosk run` (remote hub that is not there, VIRTUAL devices, portrait 1080×1920, Kivy offscreen) and a
bare Kivy app with one label at the same size, waits until each is idle at its first screen, and prints VmRSS, the
anonymous/file split, the modules that cost most, and the kiosk's share above the bare app.

Run: .venv/bin/python bench/kiosk_footprint.py [--settle 10]
Goal: RSS ≤ 250 MB. Under llvmpipe (no GPU) the renderer's buffers count in the process's RSS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent

SETTINGS = """
hospital_name = "Bệnh viện Đa khoa Demo"
kiosk_name = "kiosk-footprint"
[hub]
mode = "remote"
base_url = "http://127.0.0.1:9"
token = "kh_unused"
[devices]
chip_reader = "VIRTUAL"
camera = "VIRTUAL"
printer = "VIRTUAL"
[screen]
fullscreen = false
"""

BARE = """
from kivy.config import Config
Config.set("graphics", "width", "1080")
Config.set("graphics", "height", "1920")
Config.set("graphics", "multisamples", "0")  # as the kiosk sets it (kiosk.app.prepare_kivy)
from kivy.app import App
from kivy.uix.label import Label
class Bare(App):
    def build(self):
        return Label(text="Xin chào")
Bare().run()
"""


def memory(pid: int) -> dict[str, float]:
    wanted = ("VmRSS", "RssAnon", "RssFile")
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {k: int(line.split()[1]) / 1024 for line in lines for k in wanted if line.startswith(k + ":")}


def biggest_files(pid: int, count: int = 6) -> list[tuple[str, float]]:
    by_file: dict[str, int] = {}
    current = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if "-" in parts[0] and len(parts) >= 5:
            current = parts[5] if len(parts) > 5 else "[anon]"
        elif parts[0] == "Rss:" and current.startswith("/"):
            by_file[current] = by_file.get(current, 0) + int(parts[1])
    top = sorted(by_file.items(), key=lambda item: -item[1])[:count]
    return [(Path(name).name, kb / 1024) for name, kb in top]


def measure(cmd: list[str], env: dict[str, str], settle_s: float) -> tuple[dict[str, float], list[tuple[str, float]]]:
    child = subprocess.Popen(
        cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        time.sleep(settle_s)  # first frame ~1–2 s; the rest is the kiosk sitting at home
        if child.poll() is not None:
            raise SystemExit(f"{cmd[0]} exited early with {child.returncode}")
        return memory(child.pid), biggest_files(child.pid)
    finally:
        child.terminate()
        child.wait(timeout=20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=10.0, help="seconds at the first screen before measuring")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kiosk-footprint-") as tmp_s:
        tmp = Path(tmp_s)
        (tmp / "kiosk.toml").write_text(SETTINGS, encoding="utf-8")
        env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIVY_NO_ARGS="1", KIVY_HOME=str(tmp / "kivy"))
        env["KIOSK_STATE_DIR"] = str(tmp / "state")
        kiosk, kiosk_files = measure(
            [str(VENV_BIN / "kiosk"), "run", "--config", str(tmp / "kiosk.toml")], env, args.settle
        )
        (tmp / "bare.py").write_text(BARE, encoding="utf-8")  # a file: Kivy looks for a .kv beside the app's source
        bare, bare_files = measure([sys.executable, str(tmp / "bare.py")], env, args.settle)
    for name, mem, files in (("kiosk run", kiosk, kiosk_files), ("bare Kivy app", bare, bare_files)):
        print(
            f"{name:14s} RSS {mem['VmRSS']:.0f} MB (anonymous {mem['RssAnon']:.0f}, files {mem['RssFile']:.0f}); "
            "largest files: " + ", ".join(f"{n} {mb:.0f}" for n, mb in files)
        )
    print(
        f"kiosk above the bare app: {kiosk['VmRSS'] - bare['VmRSS']:.0f} MB; goal RSS ≤ 250 MB: "
        f"{'met' if kiosk['VmRSS'] <= 250 else 'not met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
