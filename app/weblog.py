"""The web app's access log (gunicorn): one line per request, no query string, no address,
no personal data, no secret.

``gunicorn.conf.py`` sets ``logger_class`` to ``AccessLogger`` and ``access_log_format`` to
``ACCESS_LOG_FORMAT``: time, method, path, status, bytes, milliseconds. The path is the
path only (``%(U)s``, never ``%(r)s``, which holds the query string); a segment that looks
like a token (the links in invitation and password-reset emails) is written as ``[token]``.
The client's address, the referrer and the user agent are left out: the audit log (in the
database) keeps the address of what matters.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
#: a path segment of 20 or more URL-safe characters: a token (``secrets.token_urlsafe``)
TOKEN_SEGMENT = re.compile(r"/[A-Za-z0-9_\-]{20,}(?=/|$)")
#: the atoms the access log may use; everything else (headers, environ) is dropped
ALLOWED_ATOMS = frozenset({"t", "m", "U", "s", "B", "b", "M", "D", "T", "L", "H", "p"})


def safe_path(path: str | None) -> str:
    """The request path with tokens written as ``[token]``."""
    return TOKEN_SEGMENT.sub("/[token]", path or "-")


class AccessLogger(Logger):
    """gunicorn's logger, with only the allowed atoms and the path made safe."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        kept = {key: value for key, value in atoms.items() if key in ALLOWED_ATOMS}
        kept["U"] = safe_path(environ.get("PATH_INFO"))
        return kept
