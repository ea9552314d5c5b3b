"""Helpers of lamingit/_util.py: random base62 ids, fixed-width counters, file locks."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from lamingit._util import (
    BASE62,
    FileLock,
    create_new_file,
    encode_counter,
    random_base62,
    redact_url,
)


@given(st.integers(min_value=1, max_value=40))
def test_random_base62_has_the_length_and_alphabet(n: int) -> None:
    uid = random_base62(n)
    assert len(uid) == n
    assert set(uid) <= set(BASE62)


def test_random_base62_uses_every_digit_evenly() -> None:
    # 62,000 characters: each digit expected 1,000 times; a biased draw (e.g. a byte taken
    # modulo 62) or a constant position would fall far outside this band.
    ids = [random_base62(20) for _ in range(3100)]
    assert len(set(ids)) == len(ids)
    counts = Counter("".join(ids))
    assert set(counts) == set(BASE62)
    assert all(850 < c < 1150 for c in counts.values()), counts.most_common(3)
    first = Counter(uid[0] for uid in ids)  # every position varies, not only some
    assert len(first) > 55


@given(st.integers(min_value=0, max_value=62**4 - 1))
def test_encode_counter_is_fixed_width_and_ordered(value: int) -> None:
    encoded = encode_counter(value)
    assert len(encoded) == 4
    if value + 1 < 62**4:
        assert encoded < encode_counter(value + 1)


def test_try_acquire_fails_while_another_holder_has_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "pack.lock"
    holder, other = FileLock(path), FileLock(path)
    with holder:
        assert other.try_acquire() is False
    assert other.try_acquire() is True
    assert FileLock(path).try_acquire() is False  # now ``other`` holds it
    other.release()
    last = FileLock(path)
    assert last.try_acquire() is True
    last.release()


def test_create_new_file_makes_the_directory_and_keeps_the_mode(tmp_path: Path) -> None:
    directory = str(tmp_path / "a" / "tmp")
    fd, path = create_new_file(directory, "blob-", 0o444)
    try:
        assert os.write(fd, b"bytes") == 5  # the descriptor writes although the file is 0444
    finally:
        os.close(fd)
    assert os.path.basename(path).startswith("blob-")
    assert os.stat(path).st_mode & 0o777 == 0o444
    fd2, path2 = create_new_file(directory, "blob-", 0o444)
    os.close(fd2)
    assert path2 != path


def test_redact_url_hides_secrets_and_keeps_the_rest() -> None:
    cases = {
        "https://user:pw0rd@host/x.git": "https://***@host/x.git",
        "https://ghp_abc123@github.com/a/b.git": "https://***@github.com/a/b.git",
        "ssh://git:pw0rd@host/x.git": "ssh://git:***@host/x.git",
        "http://h/?token=abc&at=HEAD": "http://h/?token=***&at=HEAD",
        "s3://b/p?X-Amz-Signature=abc&X-Amz-Credential=def": (
            "s3://b/p?X-Amz-Signature=***&X-Amz-Credential=***"
        ),
        "fatal: unable to access 'https://t:abc@h:1/': 401": "fatal: unable to access 'https://***@h:1/': 401",
        "GET /history?access_token=abc HTTP/1.1": "GET /history?access_token=*** HTTP/1.1",
    }
    for url, shown in cases.items():
        assert redact_url(url) == shown, url
    for kept in (
        "ssh://git@host/x.git",
        "git@github.com:a/b.git",
        "/srv/x.git",
        "s3://b/p",
        "http://h/?monkey=1&keys=2",
        "file:///srv/x.git",
    ):
        assert redact_url(kept) == kept
