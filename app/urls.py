"""Absolute links for emails and command-line output: ``BASE_URL`` + the endpoint's path."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values: Any) -> str:
    """The endpoint's URL under ``BASE_URL``, with or without a request (CLI, jobs, emails).

    Never the address the request came in on: links in emails and printed links must work
    for the person who reads them, so they always use the configured public address.
    """
    base = urlsplit(str(current_app.config["BASE_URL"]).rstrip("/"))
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)
