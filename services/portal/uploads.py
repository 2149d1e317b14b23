"""Spreadsheets held between the import's preview and its confirmation.

The office uploads a file once; the preview shows what it would do, and "Importieren" imports
the very same bytes. A browser cannot send a file again from a hidden field, so the portal
keeps it: in its own memory, for half an hour, for the session that uploaded it only, a few
files at most (the oldest goes first). Nothing is saved anywhere: a portal restart, or a
confirmation reaching another portal replica, finds nothing and the page asks for the file
again — the concept service checks every row once more on import in any case, so the held
bytes are a convenience, never trusted."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

HOLD_SECONDS = 30 * 60
MOST_FILES = 10


@dataclass(frozen=True)
class HeldUpload:
    name: str
    media_type: str
    content: bytes
    owner: str
    until: float


def owner_of(session_token: str) -> str:
    """Who may take a held file back: the session, by a digest (its token is not kept)."""
    return hashlib.sha256(session_token.encode()).hexdigest()


class HeldUploads:
    def __init__(
        self,
        *,
        hold_seconds: float = HOLD_SECONDS,
        most: int = MOST_FILES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._held: OrderedDict[str, HeldUpload] = OrderedDict()
        self._hold_seconds = hold_seconds
        self._most = most
        self._clock = clock

    def keep(self, session_token: str, name: str, media_type: str, content: bytes) -> str:
        """Hold the file; returns the key the confirmation names it by."""
        self._forget_expired()
        while len(self._held) >= self._most:
            self._held.popitem(last=False)
        key = secrets.token_urlsafe(24)
        until = self._clock() + self._hold_seconds
        self._held[key] = HeldUpload(name, media_type, content, owner_of(session_token), until)
        return key

    def get(self, key: str, session_token: str) -> HeldUpload | None:
        """The file held under `key` for this session; None when expired, dropped or not
        this session's."""
        self._forget_expired()
        held = self._held.get(key)
        if held is None or not secrets.compare_digest(held.owner, owner_of(session_token)):
            return None
        return held

    def drop(self, key: str) -> None:
        self._held.pop(key, None)

    def _forget_expired(self) -> None:
        now = self._clock()
        for key in [k for k, held in self._held.items() if held.until <= now]:
            del self._held[key]
