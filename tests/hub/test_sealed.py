"""The backup file's own guarantees, on its bytes: what goes in comes out at any size, and any change to the header
or the chunks (one byte, their order, a chunk added or dropped) is refused."""

from __future__ import annotations

import io

import pytest

from kiosk_hub.retention.sealed import CHUNK, TAG, BackupError, BackupKey, seal, unseal

KEY = BackupKey(bytes(range(32)))
META = {"store": "sqlite", "revision": "0310"}


def sealed(data: bytes, pieces: int = 3) -> bytes:
    out = io.BytesIO()
    step = max(1, len(data) // pieces)
    seal(KEY, META, iter([data[i : i + step] for i in range(0, len(data), step)]), out)
    return out.getvalue()


def opened(blob: bytes, key: BackupKey = KEY) -> tuple[dict[str, object], bytes]:
    metadata, chunks = unseal(key, io.BytesIO(blob))
    return metadata, b"".join(chunks)


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17])
def test_what_is_sealed_comes_back(size: int) -> None:
    data = bytes(i % 251 for i in range(size))
    metadata, back = opened(sealed(data))
    assert back == data
    assert metadata == {**META, "key_id": KEY.key_id}


def _chunks_start(blob: bytes, data_size: int) -> int:
    chunk_count = -(-data_size // CHUNK)  # the last chunk holds what is left (1 to CHUNK bytes)
    return len(blob) - data_size - chunk_count * TAG


def test_chunks_in_another_order_are_refused() -> None:
    data = bytes(3 * CHUNK + 5)
    blob = sealed(data)
    start = _chunks_start(blob, len(data))
    one, two = start, start + CHUNK + TAG
    swapped = blob[:one] + blob[two : two + CHUNK + TAG] + blob[one:two] + blob[two + CHUNK + TAG :]
    with pytest.raises(BackupError, match="tampered"):
        opened(swapped)


def test_a_changed_header_is_refused() -> None:
    blob = sealed(b"tickets")
    with pytest.raises(BackupError, match="tampered"):
        opened(blob.replace(b'"sqlite"', b'"sqlitX"'))


def test_data_added_after_the_end_is_refused() -> None:
    with pytest.raises(BackupError, match="tampered"):
        opened(sealed(bytes(CHUNK * 2)) + bytes(CHUNK + TAG))


def test_a_file_of_something_else_is_refused() -> None:
    with pytest.raises(BackupError, match="not a kiosk-hub backup"):
        opened(b"SQLite format 3\x00" + bytes(100))


def test_another_key_is_named_as_such() -> None:
    with pytest.raises(BackupError, match="another key"):
        opened(sealed(b"tickets"), BackupKey(bytes(32)))
