"""Tee of ``sys.stdout``/``sys.stderr`` into a run's report while the run is tracked."""

from __future__ import annotations

import sys
import threading
from typing import Any, TextIO, cast

MAX_REPORT = 8 * 1024 * 1024
"""Characters kept per run; beyond this the report notes the truncation."""


class _Tee:
    """A text stream that writes through to the original stream and into a buffer."""

    def __init__(self, original: TextIO, sink: OutputCapture) -> None:
        self._original = original
        self._sink = sink

    def write(self, text: str) -> int:
        self._sink._append(text)
        return self._original.write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._original.flush()

    def __getattr__(self, name: str) -> Any:
        # fileno(), isatty(), encoding, … behave as the real stream's.
        return getattr(self._original, name)


class OutputCapture:
    """Capture what Python code prints (output of child processes goes straight to fd 1/2).

    Example:
        >>> cap = OutputCapture(); cap.start(); print("hi"); cap.stop()  # doctest: +SKIP
        >>> cap.text()  # doctest: +SKIP
        'hi\\n'
    """

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._truncated = False
        self._lock = threading.Lock()
        self._saved: tuple[TextIO, TextIO] | None = None

    def _append(self, text: str) -> None:
        with self._lock:
            if self._size >= MAX_REPORT:
                self._truncated = True
                return
            self._parts.append(text)
            self._size += len(text)

    def start(self) -> None:
        """Start teeing both streams."""
        if self._saved is not None:
            return
        self._saved = (sys.stdout, sys.stderr)
        # A _Tee is a TextIO by delegation: what it does not define, the real stream answers.
        sys.stdout = cast(TextIO, _Tee(sys.stdout, self))
        sys.stderr = cast(TextIO, _Tee(sys.stderr, self))

    def stop(self) -> None:
        """Restore the streams (only if nobody replaced our tees meanwhile)."""
        if self._saved is None:
            return
        out, err = self._saved
        if isinstance(sys.stdout, _Tee) and sys.stdout._sink is self:
            sys.stdout = out
        if isinstance(sys.stderr, _Tee) and sys.stderr._sink is self:
            sys.stderr = err
        self._saved = None

    def add(self, text: str) -> None:
        """Append text that did not pass through the streams (e.g. a traceback)."""
        self._append(text)

    def text(self) -> str:
        """Everything captured so far."""
        with self._lock:
            body = "".join(self._parts)
        if self._truncated:
            body += f"\n[lamingit: report truncated at {MAX_REPORT} characters]\n"
        return body
