"""The outputs a headless kernel sends while a run is tracked, cell by cell: what nbconvert or
``jupyter execute`` would write only after the last cell, for the report at ``finish()``.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from typing import Any

from lamingit.tracking.notebook import cell_source

MAX_CAPTURED = 64 * 1024 * 1024
"""Characters of output kept at most (beyond, further outputs are dropped and noted)."""
_OUTPUT_TYPES = ("stream", "display_data", "execute_result", "error", "clear_output")


class KernelCapture:
    """Record every cell a kernel executes and the outputs it publishes for it.

    Wraps the kernel's ``Session.send`` (every iopub message of ipykernel passes there:
    streams, displays, results, errors); the wrapper only copies, then sends as before.

    Example:
        >>> capture = KernelCapture.start(get_ipython())  # doctest: +SKIP
        >>> capture.fill(notebook_dict)  # doctest: +SKIP
    """

    def __init__(self, session: Any) -> None:
        self._session = session
        self._original = session.send
        self._lock = threading.Lock()
        self._cells: dict[str, dict[str, Any]] = {}
        self._size = 0
        self.truncated = False

    @classmethod
    def start(cls, shell: Any) -> KernelCapture | None:
        """Begin capturing in the kernel of ``shell``; None outside an ipykernel kernel."""
        kernel: Any = getattr(shell, "kernel", None)
        session = getattr(kernel, "session", None)
        if session is None or not callable(getattr(session, "send", None)):
            return None
        capture = cls(session)
        # The cell calling ln.track() began before the wrapper: note it from its request.
        try:
            parent = kernel.get_parent()
        except Exception:
            parent = getattr(kernel, "_parent_header", None) or {}
        header = parent.get("header") or {}
        content = parent.get("content") or {}
        if header.get("msg_type") == "execute_request" and isinstance(content.get("code"), str):
            count = getattr(shell, "execution_count", None)
            capture._cell(str(header.get("msg_id")), content["code"], count)
        session.send = capture._send
        return capture

    def stop(self) -> None:
        """Put the session's own ``send`` back."""
        if self._session.send == self._send:
            self._session.send = self._original

    def _cell(self, msg_id: str, code: str, count: Any) -> None:
        self._cells[msg_id] = {
            "code": code,
            "count": count if isinstance(count, int) else None,
            "outputs": [],
        }

    def _send(self, stream: Any, msg_or_type: Any, *args: Any, **kwargs: Any) -> Any:
        with contextlib.suppress(Exception):  # never break the kernel's own messaging
            self._note(msg_or_type, args, kwargs)
        return self._original(stream, msg_or_type, *args, **kwargs)

    def _note(self, msg_or_type: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if isinstance(msg_or_type, dict):
            msg_type = (msg_or_type.get("header") or {}).get("msg_type")
            content = msg_or_type.get("content") or {}
            parent = msg_or_type.get("parent_header") or {}
        else:
            msg_type = msg_or_type
            content = kwargs.get("content", args[0] if args else None) or {}
            parent = kwargs.get("parent", args[1] if len(args) > 1 else None) or {}
        if msg_type != "execute_input" and msg_type not in _OUTPUT_TYPES:
            return
        header = parent.get("header", parent) if isinstance(parent, dict) else {}
        msg_id = str(header.get("msg_id"))
        with self._lock:
            if msg_type == "execute_input":
                self._cell(msg_id, str(content.get("code", "")), content.get("execution_count"))
                return
            cell = self._cells.get(msg_id)
            if cell is None:
                return
            outputs: list[dict[str, Any]] = cell["outputs"]
            if msg_type == "clear_output":
                outputs.clear()
                return
            size = sum(len(str(v)) for v in content.values())
            if self._size + size > MAX_CAPTURED:
                self.truncated = True
                return
            self._size += size
            outputs.append(_output(msg_type, copy.deepcopy(content)))

    def fill(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``doc`` whose code cells carry the outputs captured for them.

        Cells are matched to executions by their code, in order; a cell that did not run
        while capturing (before ``ln.track()``) is shown without outputs.
        """
        with self._lock:
            executions = list(self._cells.values())
        out = copy.deepcopy(doc)
        position = 0
        for cell in out.get("cells", []):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            cell["outputs"], cell["execution_count"] = [], None
            code = cell_source(cell).rstrip()
            for index in range(position, len(executions)):
                if executions[index]["code"].rstrip() == code:
                    cell["outputs"] = _merge_streams(executions[index]["outputs"])
                    cell["execution_count"] = executions[index]["count"]
                    position = index + 1
                    break
        return out


def _output(msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
    if msg_type == "stream":
        return {"output_type": "stream", "name": content.get("name"), "text": content.get("text")}
    if msg_type == "error":
        return {
            "output_type": "error",
            "ename": content.get("ename", ""),
            "evalue": content.get("evalue", ""),
            "traceback": content.get("traceback", []),
        }
    output = {
        "output_type": msg_type,
        "data": content.get("data", {}),
        "metadata": content.get("metadata", {}),
    }
    if msg_type == "execute_result":
        output["execution_count"] = content.get("execution_count")
    return output


def _merge_streams(outputs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (
            last is not None
            and output["output_type"] == "stream"
            and last["output_type"] == "stream"
            and last["name"] == output["name"]
        ):
            last["text"] = str(last["text"]) + str(output["text"])
        else:
            merged.append(dict(output))
    return merged


_CURRENT: KernelCapture | None = None


def begin(shell: Any) -> KernelCapture | None:
    """Start capturing for a new tracked run (a previous capture stops).

    Example:
        >>> begin(None) is None
        True
    """
    global _CURRENT
    end()
    _CURRENT = KernelCapture.start(shell) if shell is not None else None
    return _CURRENT


def current() -> KernelCapture | None:
    """The capture of the run being tracked, if any.

    Example:
        >>> current() is None
        True
    """
    return _CURRENT


def end() -> None:
    """Stop capturing.

    Example:
        >>> end()
    """
    global _CURRENT
    if _CURRENT is not None:
        _CURRENT.stop()
        _CURRENT = None
