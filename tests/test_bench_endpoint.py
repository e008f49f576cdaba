"""bench/web.py's bare ``/_bench/ok``: there only when the benchmark's variable is set."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import BENCH_ENV
from tests.helpers import make_app


def test_the_bare_bench_endpoint_exists_only_when_the_benchmark_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BENCH_ENV, raising=False)
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    normal = make_app(url)
    assert "bench_ok" not in normal.view_functions
    assert normal.test_client().get("/_bench/ok").status_code == 404
    monkeypatch.setenv(BENCH_ENV, "1")
    benched = make_app(url)
    response = benched.test_client().get("/_bench/ok")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
