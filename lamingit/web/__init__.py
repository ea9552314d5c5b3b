"""The read-only web UI of ``lamingit serve``: HTML pages over the public API and the index.

The server (``lamingit.remote.server``) hands it every request that is not git or blobs.
"""

from __future__ import annotations

from lamingit.web.app import WebUI

__all__ = ["WebUI"]
