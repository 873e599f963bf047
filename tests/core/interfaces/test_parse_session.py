"""One evaluation parses each contract text once, and at most MAX_PARSED_BYTES of them."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from bot.core.blast import classify_interface, classify_interfaces
from bot.core.config import Interface
from bot.core.interfaces import openapi_load, python_api
from bot.core.interfaces.parse_session import MAX_PARSED_BYTES, SPENT, ParseSession
from bot.core.models import FileChange, FileVersions
from bot.core.severity import BREAKING

MODULE = "def pay(amount: int) -> None:\n    pass\n"
WIDER = "def pay(amount: int, note: str = '') -> None:\n    pass\n"


def _counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[str]:
    calls: list[str] = []
    real: Callable[[str], object] = getattr(module, name)

    def counted(text: str) -> object:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(module, name, counted)
    return calls


def _change(path: str) -> FileChange:
    return FileChange(path, added_lines=("x",))


def test_a_python_file_is_parsed_once_a_side_by_detector_and_comparator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counting(monkeypatch, python_api, "_parse")
    api = Interface(id="api", kind="python", paths=("sdk/**",))
    again = Interface(id="again", kind="python", paths=("sdk/pay.py",))
    contents = {"sdk/pay.py": FileVersions(MODULE, WIDER)}

    touches = classify_interfaces([_change("sdk/pay.py")], [api, again], contents)

    assert [t.id for t in touches] == ["api", "again"]
    assert sorted(calls) == sorted([MODULE, WIDER])


def test_an_openapi_file_is_read_once_a_side(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch, openapi_load, "_load")
    before = json.dumps({"openapi": "3.0.3", "paths": {}})
    after = json.dumps({"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {}}}}})
    api = Interface(id="api", kind="openapi", paths=("api.json",))

    classify_interfaces([_change("api.json")], [api], {"api.json": FileVersions(before, after)})

    assert sorted(calls) == sorted([before, after])


def test_a_file_past_the_budget_is_breaking_and_not_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counting(monkeypatch, python_api, "_parse")
    api = Interface(id="api", kind="python", paths=("sdk/**",))
    contents = {"sdk/pay.py": FileVersions(MODULE, WIDER)}
    session = ParseSession(remaining=len(MODULE) + len(WIDER) - 1)

    touch = classify_interface([_change("sdk/pay.py")], api, contents, session)

    assert calls == []
    assert touch is not None and [r.code for r in touch.reasons] == ["unparsable"]
    assert SPENT in touch.reasons[0].message
    assert [(c.severity, c.what) for c in touch.changes] == [
        (BREAKING, f"the before and after version {SPENT}")
    ]


def test_the_budget_is_shared_by_the_files_of_a_pull_request() -> None:
    # Three added migrations of 3 MiB each: the first two are read (and refused as too large
    # for SQL), the third is past the 8 MiB budget and not read at all.
    size = 3 * 1024 * 1024
    files = {f"db/{n}.sql": f"-- {n}\n" * (size // 5) for n in range(3)}
    assert sum(len(text) for text in files.values()) > MAX_PARSED_BYTES
    migrations = Interface(id="db", kind="sql", paths=("db/**",))
    changes = [FileChange(path, status="added", added_lines=("x",)) for path in files]
    contents = {path: FileVersions(None, text) for path, text in files.items()}

    (touch,) = classify_interfaces(changes, [migrations], contents)

    spent = [c.path for c in touch.changes if SPENT in c.what]
    assert spent == ["db/2.sql"]
    assert {c.severity for c in touch.changes} == {BREAKING}
