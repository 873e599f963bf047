"""Public-API detection for python interfaces: signatures compared through the AST."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.interfaces import InterfaceVerdict, classify_interface_change
from bot.core.models import FileChange, FileVersions, Reason

FIXTURES = Path(__file__).parent.parent / "fixtures" / "interfaces"
BASE = (FIXTURES / "users_api.py.txt").read_text(encoding="utf-8")
PATH = "src/acme/api/users.py"
UNCHANGED = (Reason("interface-unchanged", f"{PATH}: public API unchanged"),)


def _edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new)


def _classify(before: str | None, after: str | None, status: str = "modified") -> InterfaceVerdict:
    change = FileChange(path=PATH, status=status)
    return classify_interface_change("python", change, FileVersions(before, after))


def _touch(*messages: str) -> tuple[Reason, ...]:
    return tuple(Reason("interface", f"{PATH}: {message}") for message in messages)


GET_USER = "(store: UserStore, user_id: {}) -> User | None"
FETCH_USER = "(store: UserStore, user_id: int, /) -> User | None"
LIST_USERS = "(store: UserStore, *, limit: int={}, offset: int=0) -> list[User]"

# (id, old text, new text, expected reasons); the fixture is edited by plain replacement.
EDITS = [
    (
        "signature change of a public function",
        "def get_user(store: UserStore, user_id: int)",
        "def get_user(store: UserStore, user_id: str)",
        _touch(
            f"signature of get_user changed {GET_USER.format('int')} -> {GET_USER.format('str')}"
        ),
    ),
    (
        "body-only change of the same function",
        "return store._users.get(user_id)",
        "return store._users.get(int(user_id))",
        UNCHANGED,
    ),
    (
        "docstring change",
        "Return the user with this id, or None.",
        "Look up one user by id.",
        UNCHANGED,
    ),
    (
        "comment change",
        "# Validate before storing",
        "# Check before storing",
        UNCHANGED,
    ),
    ("private helper renamed", "_check_email", "_validate_email", UNCHANGED),
    ("private method renamed", "def _reindex(self)", "def _sort(self)", UNCHANGED),
    (
        "private helper signature changed",
        "def _check_email(email: str)",
        "def _check_email(email: str, strict: bool = True)",
        UNCHANGED,
    ),
    (
        "not exported by __all__",
        "def make_admin(user: User) -> User:",
        "def make_admin(user: User, *, audit: bool = True) -> User:",
        UNCHANGED,
    ),
    (
        "public method added to a public class",
        "    def _reindex(self)",
        "    def remove(self, user_id: int) -> None:\n        pass\n\n    def _reindex(self)",
        _touch("public method UserStore.remove added"),
    ),
    (
        "default value changed",
        "limit: int = 50",
        "limit: int = 100",
        _touch(
            f"signature of list_users changed {LIST_USERS.format(50)} -> {LIST_USERS.format(100)}"
        ),
    ),
    (
        "keyword-only parameter made positional",
        "store: UserStore, *, limit",
        "store: UserStore, limit",
        _touch(
            "signature of list_users changed "
            f"{LIST_USERS.format(50)} -> {LIST_USERS.format(50).replace('*, ', '')}"
        ),
    ),
    (
        "async def becomes def",
        "async def fetch_user",
        "def fetch_user",
        _touch(f"signature of fetch_user changed async {FETCH_USER} -> {FETCH_USER}"),
    ),
    (
        "positional-only marker dropped",
        "user_id: int, /)",
        "user_id: int)",
        _touch(
            f"signature of fetch_user changed async {FETCH_USER} -> "
            f"async {FETCH_USER.replace(', /', '')}"
        ),
    ),
    (
        "property becomes a plain method",
        "    @property\n    def domain",
        "    def domain",
        _touch("signature of User.domain changed @property (self) -> str -> (self) -> str"),
    ),
    (
        "classmethod becomes staticmethod",
        "@classmethod\n    def from_row(cls, ",
        "@staticmethod\n    def from_row(",
        _touch(
            "signature of User.from_row changed "
            "@classmethod (cls, row: tuple[int, str]) -> User -> "
            "@staticmethod (row: tuple[int, str]) -> User"
        ),
    ),
    (
        "constructor signature changed",
        "users: list[User] | None = None",
        "users: list[User]",
        _touch(
            "signature of UserStore.__init__ changed "
            "(self, users: list[User] | None=None) -> None -> (self, users: list[User]) -> None"
        ),
    ),
    (
        "class bases changed",
        "class UserStore:",
        "class UserStore(dict[int, User]):",
        _touch("bases of class UserStore changed () -> (dict[int, User])"),
    ),
    (
        "public function removed from __all__",
        ', "fetch_user"]',
        "]",
        _touch("public function fetch_user removed"),
    ),
    (
        "public name exported",
        ', "fetch_user"]',
        ', "fetch_user", "make_admin", "VERSION"]',
        _touch("public function make_admin added", "public name VERSION added"),
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [case[1:] for case in EDITS],
    ids=[case[0] for case in EDITS],
)
def test_fixture_edits(old: str, new: str, expected: tuple[Reason, ...]) -> None:
    verdict = _classify(BASE, _edit(old, new))

    assert verdict.reasons == expected
    assert verdict.touched == (expected != UNCHANGED)


MODULE = textwrap.dedent(
    """
    class Client:
        def save(self, item: dict) -> None: ...

    def delete_user(user_id: int) -> None: ...

    def _helper() -> None: ...
    """
)


@pytest.mark.parametrize(
    ("before", "after", "status", "expected"),
    [
        (
            MODULE,
            MODULE.replace("def delete_user(user_id: int) -> None: ...", ""),
            "modified",
            _touch("public function delete_user removed"),
        ),
        (
            None,
            MODULE,
            "added",
            _touch("public class Client added", "public function delete_user added"),
        ),
        (
            MODULE,
            None,
            "removed",
            _touch("public class Client removed", "public function delete_user removed"),
        ),
        (None, "def _private() -> None: ...\n", "added", UNCHANGED),
        (
            MODULE,
            MODULE + "\nasync def ping() -> bool: ...\n",
            "modified",
            _touch("public function ping added"),
        ),
    ],
    ids=["function removed", "file added", "file removed", "private file added", "async added"],
)
def test_whole_names(
    before: str | None, after: str | None, status: str, expected: tuple[Reason, ...]
) -> None:
    assert _classify(before, after, status).reasons == expected


@pytest.mark.parametrize(
    ("before", "after", "touched"),
    [
        # A computed __all__ cannot be read, so underscores decide.
        ("__all__ = names()\ndef f(a): ...\n", "__all__ = names()\ndef f(b): ...\n", True),
        (
            "__all__ = ['f']\n__all__ += ['g']\ndef g(a): ...\n",
            "__all__ = ['f']\n__all__ += ['g']\ndef g(b): ...\n",
            True,
        ),
        ("__all__ = ('f',)\ndef g(a): ...\n", "__all__ = ('f',)\ndef g(b): ...\n", False),
        (
            "try:\n    def f(a): ...\nexcept E:\n    pass\n",
            "try:\n    def f(b): ...\nexcept E:\n    pass\n",
            True,
        ),
        ("if X:\n    def f(a): ...\n", "if X:\n    def f(a, b): ...\n", True),
        ("class _P:\n    def run(self): ...\n", "class _P:\n    def run(self, x): ...\n", False),
        (
            "class A:\n    class B:\n        def m(self): ...\n",
            "class A:\n    class B:\n        def m(self, x): ...\n",
            True,
        ),
        ("x = '\\d'\ndef f(a): ...\n", "x = '\\d'\ndef f(a): ...\n", False),
    ],
    ids=[
        "computed all",
        "augmented all",
        "tuple all",
        "try block",
        "if block",
        "private class",
        "nested class",
        "invalid escape",
    ],
)
def test_module_shapes(before: str, after: str, touched: bool) -> None:
    assert _classify(before, after).touched is touched


def test_property_setter_is_part_of_the_signature() -> None:
    before = "class A:\n    @property\n    def v(self) -> int: ...\n"
    after = before + "    @v.setter\n    def v(self, value: int) -> None: ...\n"

    assert _classify(before, after).reasons == _touch(
        "signature of A.v changed @property (self) -> int -> "
        "@property (self) -> int; @setter (self, value: int) -> None"
    )


def test_renamed_module_moves_its_public_api() -> None:
    change = FileChange(path=PATH, status="renamed", previous_path="src/acme/api/people.py")
    verdict = classify_interface_change("python", change, FileVersions(BASE, BASE))

    assert verdict.reasons == _touch(
        "module renamed from src/acme/api/people.py, moving its public API"
    )


FALLBACK_NONE = f"{PATH}: before/after contents were not available; decided from the changed lines"


@pytest.mark.parametrize(
    ("added", "removed", "expected"),
    [
        (
            ("def get_user(user_id: str) -> User:",),
            ("def get_user(user_id: int) -> User:",),
            _touch("changed line defines public name get_user"),
        ),
        (
            ("    return store.get(int(user_id))",),
            ("    return store.get(user_id)",),
            (Reason("interface-unchanged", f"{PATH}: no changed line touches the interface"),),
        ),
        (
            ("    def save(self, item: dict) -> None:",),
            (),
            _touch("changed line defines public name save"),
        ),
        (
            ("    async def _flush(self) -> None:",),
            (),
            (Reason("interface-unchanged", f"{PATH}: no changed line touches the interface"),),
        ),
        (("class Client(Base):",), (), _touch("changed line defines public name Client")),
        (("    @staticmethod",), (), _touch("changed line reshapes the public API: @staticmethod")),
    ],
    ids=["public def", "body only", "public method", "private method", "class", "decorator"],
)
def test_fallback_without_contents(
    added: tuple[str, ...], removed: tuple[str, ...], expected: tuple[Reason, ...]
) -> None:
    change = FileChange(path=PATH, added_lines=added, removed_lines=removed)
    verdict = classify_interface_change("python", change, None)

    assert verdict.reasons == (Reason("interface-fallback", FALLBACK_NONE), *expected)
    assert verdict.touched == (expected[0].code == "interface")


def _unparsable(side: str, error: str) -> Reason:
    return Reason(
        "unparsable",
        f"{PATH}: the {side} version does not parse as Python ({error}); "
        "it counts as touching the interface",
    )


SIGNED = """\
def transfer(
    source: str,
    target: str,
    cents: int,
) -> None: ...
"""


def test_syntax_error_touches_the_interface_whatever_the_changed_lines() -> None:
    # The parameter change sits on a continuation line, which no def/class line check sees.
    after = SIGNED.replace("cents: int", "cents: float") + "RATE = = 100\n"
    change = FileChange(path=PATH, added_lines=("    cents: float,", "RATE = = 100"))

    verdict = classify_interface_change("python", change, FileVersions(SIGNED, after))

    assert verdict == InterfaceVerdict(
        True, (_unparsable("after", "SyntaxError at line 6: invalid syntax"),)
    )


def test_newer_syntax_than_the_interpreter_reads_touches_the_interface() -> None:
    # `type` statements are Python 3.12 syntax; the oldest supported Python, 3.11, cannot
    # parse them. Either way the re-typed parameter on a continuation line is caught.
    after = "type Money = int\n" + SIGNED.replace("cents: int", "cents: Money")
    change = FileChange(path=PATH, added_lines=("type Money = int", "    cents: Money,"))

    verdict = classify_interface_change("python", change, FileVersions(SIGNED, after))

    assert verdict.touched
    if sys.version_info < (3, 12):
        assert verdict.reasons == (_unparsable("after", "SyntaxError at line 1: invalid syntax"),)
    else:
        assert verdict.reasons == _touch(
            "signature of transfer changed (source: str, target: str, cents: int) -> None -> "
            "(source: str, target: str, cents: Money) -> None"
        )


def test_both_sides_unparsable_are_both_named() -> None:
    verdict = _classify("def a(:\n", "def b(:\n")

    assert verdict == InterfaceVerdict(
        True,
        (
            _unparsable("before", "SyntaxError at line 1: invalid syntax"),
            _unparsable("after", "SyntaxError at line 1: invalid syntax"),
        ),
    )


def test_same_unparsable_text_on_both_sides_is_unchanged() -> None:
    verdict = _classify("def a(:\n", "def a(:\n")

    assert verdict == InterfaceVerdict(
        False, (Reason("interface-unchanged", f"{PATH}: contents unchanged"),)
    )
    assert _classify("def a(:\n", "def a(:\n", status="renamed").touched


def test_fallback_without_patch_is_touched() -> None:
    change = FileChange(path=PATH, has_patch=False, additions=900)
    verdict = classify_interface_change("python", change, None)

    assert verdict == InterfaceVerdict(
        True,
        (
            Reason(
                "interface-fallback",
                f"{PATH}: before/after contents were not available, and the patch was omitted too",
            ),
            Reason("interface", f"{PATH}: changed without inspectable lines"),
        ),
    )


PYTHONISH = st.lists(
    st.sampled_from(
        [
            "def f(a, /, b=1, *c, d: int = 2, **e) -> int: ...",
            "async def g(x): ...",
            "class C(B, metaclass=M):",
            "    def m(self, x=[1, 2]): ...",
            "    @property",
            "    @m.setter",
            "__all__ = ['f', 'C']",
            "__all__ += ['g']",
            "if X:",
            "try:",
            "except E:",
            "    pass",
            "_h = 1",
            "def _p(): ...",
            "'\\d'",
        ]
    )
    | st.text(max_size=30)
).map("\n".join)


@settings(deadline=None, max_examples=300)
@given(before=st.none() | st.text() | PYTHONISH, after=st.none() | st.text() | PYTHONISH)
def test_never_raises_on_arbitrary_text(before: str | None, after: str | None) -> None:
    change = FileChange(path=PATH, added_lines=tuple((after or "").splitlines()))
    verdict = classify_interface_change("python", change, FileVersions(before, after))

    assert verdict.reasons


@settings(deadline=None)
@given(text=st.text() | PYTHONISH)
def test_identical_text_is_never_touched(text: str) -> None:
    assert not _classify(text, text).touched


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("def f(a=" + "-" * 100_000 + "1): ...\n", "MemoryError"),
        ("def f(a=" + "+".join(["1"] * 100_000) + "): ...\n", "RecursionError"),
        ("x = " + "(" * 1000 + ")" * 1000 + "\n", "SyntaxError at line 1: too many nested"),
        # Null bytes raise SyntaxError or ValueError depending on the Python release.
        ("x = 1\0\n", ""),
    ],
    ids=["deep unary chain", "long operator chain", "deep parentheses", "null byte"],
)
def test_hostile_sources_are_unparsable(source: str, why: str) -> None:
    verdict = _classify(BASE, source)

    assert verdict.touched
    assert [r.code for r in verdict.reasons] == ["unparsable"]
    assert f"the after version does not parse as Python ({why}" in verdict.reasons[0].message


def test_contents_asked_for_but_unreadable_on_both_sides_touch_the_interface() -> None:
    # A file too large (or not text) to read must not fall back to the def/class lines,
    # which miss a parameter changed on a continuation line.
    change = FileChange(
        "src/api.py", added_lines=("    amount: float,",), removed_lines=("    amount: int,",)
    )
    verdict = classify_interface_change("python", change, FileVersions(None, None))
    assert verdict.touched
    assert [r.code for r in verdict.reasons] == ["unparsable"]
    assert "could not be read" in verdict.reasons[0].message
