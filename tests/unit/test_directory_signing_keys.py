"""The directory's signing key file: refused when others may read it, outside development."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from services.directory.tokens import KeyFilePermissionError, load_signing_key, write_new_key


def key_file(tmp_path: Path, mode: int) -> Path:
    file = tmp_path / "directory.pem"
    write_new_key(file)
    file.chmod(mode)
    return file


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_a_signing_key_others_may_read_is_refused_outside_development_with_a_clear_message(
    tmp_path: Path, mode: int
) -> None:
    file = key_file(tmp_path, mode)

    with pytest.raises(KeyFilePermissionError) as refused:
        load_signing_key(str(file), create=False, development=False)

    assert f"chmod 600 {file}" in str(refused.value)
    assert stat.S_IMODE(file.stat().st_mode) == mode


def test_in_development_a_signing_key_others_may_read_is_made_private(tmp_path: Path) -> None:
    file = key_file(tmp_path, 0o644)

    key = load_signing_key(str(file), create=True, development=True)

    assert key.kid
    assert stat.S_IMODE(file.stat().st_mode) == 0o600


def test_a_private_signing_key_loads_everywhere(tmp_path: Path) -> None:
    file = key_file(tmp_path, 0o600)

    assert load_signing_key(str(file), create=False, development=False).kid
