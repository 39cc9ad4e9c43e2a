"""The emulated CCCD card on vpcd's socket: inserting the card is connecting, pulling it is closing the socket.

vpcd frames every message as a 2-byte big-endian length and the payload; a 1-byte payload is a control code
(0 power off, 1 power on, 2 reset, 4 "send the ATR"), anything longer is a command APDU answered with a response.
The socket is created inside pcscd's network namespace (setns on a short-lived thread, as root).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import socket
import threading
import time

from tests.support.emulated_card import EmulatedCccd
from tests.support.pcsc_daemon import READER_PREFIX, VPCD_PORT

_CLONE_NEWNET = 0x40000000
_POWER_OFF, _POWER_ON, _RESET, _GET_ATR = 0, 1, 2, 4


def _connect_in_namespace(netns: str, port: int, timeout: float) -> socket.socket:
    result: list[socket.socket | BaseException] = []

    def run() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(netns, os.O_RDONLY)
            try:
                if libc.setns(fd, _CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns")
            finally:
                os.close(fd)
            result.append(socket.create_connection(("127.0.0.1", port), timeout=timeout))
        except BaseException as exc:  # handed to the caller's thread
            result.append(exc)

    # The thread ends with the namespace switch; the socket keeps the namespace it was made in.
    thread = threading.Thread(target=run, name="vpcd-connect")
    thread.start()
    thread.join(timeout)
    if not result:
        raise TimeoutError("could not reach vpcd")
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


def wait_for_card_state(reader: str, present: bool, timeout: float) -> None:
    """Block until pcscd itself reports the card present (or absent): powering it up comes before that."""
    from smartcard import scard  # only the test card's link needs PC/SC

    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        raise RuntimeError(scard.SCardGetErrorMessage(result))
    try:
        deadline = time.monotonic() + timeout
        state = scard.SCARD_STATE_UNAWARE
        while time.monotonic() < deadline:
            result, states = scard.SCardGetStatusChange(context, 200, [(reader, state)])
            if result == scard.SCARD_S_SUCCESS:
                state = states[0][1] & ~scard.SCARD_STATE_CHANGED
                if bool(state & scard.SCARD_STATE_PRESENT) == present:
                    return
        raise TimeoutError(f"card never {'present' if present else 'absent'} on {reader}")
    finally:
        scard.SCardReleaseContext(context)


class VpcdCardLink:
    """Puts an `EmulatedCccd` on a vpcd reader slot and serves it on a thread until pulled."""

    def __init__(self, card: EmulatedCccd, netns: str, slot: int = 0) -> None:
        self.card = card
        self._netns = netns
        self._port = VPCD_PORT + slot
        self._slot = slot
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._powered = threading.Event()
        self._pulled = threading.Event()

    def insert(self, timeout: float = 5.0, wait_for_reader: bool = True) -> None:
        """Put the card on the reader; by default return once pcscd has powered it (asked for its ATR)."""
        self._powered.clear()
        self._pulled.clear()
        self._sock = _connect_in_namespace(self._netns, self._port, timeout)
        self._sock.settimeout(None)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._thread = threading.Thread(target=self._serve, args=(self._sock,), name="vpcd-card", daemon=True)
        self._thread.start()
        if wait_for_reader:
            if not self._powered.wait(timeout):
                raise TimeoutError("pcscd did not power the card")
            wait_for_card_state(f"{READER_PREFIX} 00 {self._slot:02d}", present=True, timeout=timeout)

    def pull(self, wait_for_reader: bool = True, timeout: float = 5.0) -> None:
        """Take the card away; by default return once pcscd reports the slot empty."""
        self._pulled.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        if wait_for_reader:
            wait_for_card_state(f"{READER_PREFIX} 00 {self._slot:02d}", present=False, timeout=timeout)

    def _receive(self, sock: socket.socket, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            # vpcd writes the length and the payload separately: without QUICKACK each APDU waits ~40 ms.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            chunk = sock.recv(size - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    def _serve(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while True:
                head = self._receive(sock, 2)
                payload = self._receive(sock, int.from_bytes(head, "big")) if head else None
                if payload is None:
                    return
                answer = self._answer(payload)
                if answer is None:
                    if self._sock is sock:
                        self._sock = None
                    sock.close()  # the card left the field
                    return
                if answer:
                    sock.sendall(len(answer).to_bytes(2, "big") + answer)

    def _answer(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            if payload[0] == _GET_ATR:
                self._powered.set()
                return self.card.atr
            if payload[0] in (_POWER_OFF, _RESET, _POWER_ON):
                self.card.reset()
            return b""
        limit = self.card.faults.pull_after_apdus
        if limit is not None and self.card.apdus_seen >= limit:
            return None
        stall = self.card.faults.stall_after_apdus
        if stall is not None and self.card.apdus_seen >= stall:
            self._pulled.wait(30)  # silent until the test pulls the card
            return None
        return self.card.process(payload)
