"""Python public API changes with their severity, on modules of the packaging library."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.interfaces.python_severity import compare_python
from bot.core.severity import ContractParseError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "contracts" / "python"
PATH = "src/packaging/tags.py"
BREAKING = "breaking"
SAFE = "non-breaking"


def _module(version: str, name: str) -> str:
    return (FIXTURES / f"packaging-{version}-{name}.py.txt").read_text(encoding="utf-8")


TAGS = _module("24.2", "tags")
INIT = "def __init__(self, interpreter: str, abi: str, platform: str) -> None:"
CPYTHON = "    platforms: Iterable[str] | None = None,\n    *,\n    warn: bool = False,\n"
COMPATIBLE = '    platforms: Iterable[str] | None = None,\n) -> Iterator[Tag]:\n    """\n    Yields'
VERSION_OF = "def interpreter_version(*, warn: bool = False) -> str:"


def _edit(old: str, new: str, text: str = TAGS) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _compare(before: str, after: str) -> list[tuple[str, str]]:
    return [(c.severity, c.what) for c in compare_python({PATH: before}, {PATH: after})]


def _cpython(block: str) -> str:
    """Replace the end of cpython_tags' parameters (generic_tags ends the same way)."""
    start = TAGS.index(CPYTHON, TAGS.index("def cpython_tags("))
    return TAGS[:start] + block + TAGS[start + len(CPYTHON) :]


def _init(params: str) -> str:
    return _edit(INIT, f"def __init__(self, {params}) -> None:")


def _drop(first: str, last: str, text: str = TAGS) -> str:
    """Remove the lines from the one starting ``first`` to the one starting ``last``."""
    start = text.index(first)
    end = text.index("\n", text.index(last, start)) + 1
    return text[:start] + text[end:]


# (id, before, after, expected changes); each pair is one rule, on packaging 24.2's tags.py.
RULES = [
    (
        "removed function",
        TAGS,
        _drop("def interpreter_name()", "    return INTERPRETER_SHORT_NAMES"),
        [(BREAKING, "public function interpreter_name removed")],
    ),
    (
        "added function",
        _drop("def interpreter_name()", "    return INTERPRETER_SHORT_NAMES"),
        TAGS,
        [(SAFE, "public function interpreter_name added")],
    ),
    (
        "removed class, reported once for its methods",
        TAGS,
        _drop("class Tag:", '        return f"<{self} @ {id(self)}>"'),
        [(BREAKING, "public class Tag removed")],
    ),
    (
        "removed method",
        TAGS,
        _drop("    def __str__(self) -> str:", '        return f"{self._interpreter}'),
        [(BREAKING, "public method Tag.__str__ removed")],
    ),
    (
        "removed constant",
        TAGS,
        _edit("AppleVersion = Tuple[int, int]\n", ""),
        [(BREAKING, "public constant AppleVersion removed")],
    ),
    (
        "added constant",
        TAGS,
        _edit("AppleVersion = Tuple[int, int]\n", "AppleVersion = Tuple[int, int]\nIOS = 'ios'\n"),
        [(SAFE, "public constant IOS added")],
    ),
    (
        "removed positional parameter",
        TAGS,
        _init("interpreter: str, abi: str"),
        [(BREAKING, 'method Tag.__init__: parameter "platform" removed')],
    ),
    (
        "reordered positional parameters",
        TAGS,
        _init("abi: str, interpreter: str, platform: str"),
        [
            (BREAKING, 'method Tag.__init__: parameter "abi" moved from position 2 to 1'),
            (BREAKING, 'method Tag.__init__: parameter "interpreter" moved from position 1 to 2'),
        ],
    ),
    (
        "renamed parameter",
        TAGS,
        _init("interpreter: str, abi: str, plat: str"),
        [(BREAKING, 'method Tag.__init__: parameter "platform" renamed to "plat"')],
    ),
    (
        "renamed positional-only parameter",
        _init("interpreter: str, abi: str, platform: str, /"),
        _init("interpreter: str, abi: str, plat: str, /"),
        [(SAFE, 'method Tag.__init__: parameter "platform" renamed to "plat"')],
    ),
    (
        "required parameter added",
        TAGS,
        _init("interpreter: str, abi: str, platform: str, build: str"),
        [(BREAKING, 'method Tag.__init__: required parameter "build" added')],
    ),
    (
        "parameter made keyword-only",
        TAGS,
        _init("interpreter: str, abi: str, *, platform: str"),
        [(BREAKING, 'method Tag.__init__: parameter "platform" became keyword-only')],
    ),
    (
        "parameter made positional-only",
        TAGS,
        _init("interpreter: str, /, abi: str, platform: str"),
        [(BREAKING, 'method Tag.__init__: parameter "interpreter" became positional-only')],
    ),
    (
        "positional-only parameter relaxed",
        _init("interpreter: str, /, abi: str, platform: str"),
        TAGS,
        [(SAFE, 'method Tag.__init__: parameter "interpreter" is no longer positional-only')],
    ),
    (
        "annotation changed",
        TAGS,
        _init("interpreter: str, abi: str | None, platform: str"),
        [(SAFE, 'method Tag.__init__: annotation of parameter "abi" changed str → str | None')],
    ),
    (
        # Annotations are not enforced at run time, so narrowing one breaks no call; the
        # sentence still names the old and the new annotation.
        "annotation narrowed",
        _init("interpreter: str, abi: str | None, platform: str"),
        TAGS,
        [(SAFE, 'method Tag.__init__: annotation of parameter "abi" changed str | None → str')],
    ),
    (
        "keyword-only annotation narrowed",
        TAGS,
        _edit(VERSION_OF, VERSION_OF.replace("warn: bool", "warn: Literal[False]")),
        [
            (
                SAFE,
                'function interpreter_version: annotation of parameter "warn" changed'
                " bool → Literal[False]",
            )
        ],
    ),
    (
        "parameter with default added at the end",
        TAGS,
        _edit(COMPATIBLE, COMPATIBLE.replace(" = None,\n", " = None,\n    build: str = '',\n", 1)),
        [(SAFE, "function compatible_tags: parameter \"build\" added with default ''")],
    ),
    (
        "parameter with default inserted before others",
        TAGS,
        _cpython("    build: str = '',\n" + CPYTHON),
        [
            (SAFE, "function cpython_tags: parameter \"build\" added with default ''"),
            (BREAKING, 'function cpython_tags: parameter "platforms" moved from position 3 to 4'),
        ],
    ),
    (
        "keyword-only parameter with default added",
        TAGS,
        _cpython(CPYTHON + "    strict: bool = False,\n"),
        [
            (
                SAFE,
                'function cpython_tags: keyword-only parameter "strict" added with default False',
            )
        ],
    ),
    (
        "required keyword-only parameter added",
        TAGS,
        _cpython(CPYTHON + "    strict: bool,\n"),
        [(BREAKING, 'function cpython_tags: required keyword-only parameter "strict" added')],
    ),
    (
        "keyword-only parameter renamed",
        TAGS,
        _cpython(CPYTHON.replace("warn", "verbose")),
        [(BREAKING, 'function cpython_tags: parameter "warn" renamed to "verbose"')],
    ),
    (
        "keyword-only parameter removed",
        TAGS,
        _cpython(CPYTHON.replace("    *,\n    warn: bool = False,\n", "")),
        [(BREAKING, 'function cpython_tags: keyword-only parameter "warn" removed')],
    ),
    (
        "keyword-only parameter relaxed",
        TAGS,
        _edit(VERSION_OF, "def interpreter_version(warn: bool = False) -> str:"),
        [(SAFE, 'function interpreter_version: parameter "warn" is no longer keyword-only')],
    ),
    (
        "default value changed",
        TAGS,
        _cpython(CPYTHON.replace("= False", "= True")),
        [(SAFE, 'function cpython_tags: default of parameter "warn" changed False → True')],
    ),
    (
        "default taken away",
        TAGS,
        _cpython(CPYTHON.replace(" = False", "")),
        [(BREAKING, 'function cpython_tags: parameter "warn" lost its default False')],
    ),
    (
        "*args removed",
        _edit("def platform_tags() ->", "def platform_tags(*names: str) ->"),
        TAGS,
        [(BREAKING, "function platform_tags: *names removed")],
    ),
    (
        "*args added",
        TAGS,
        _edit("def platform_tags() ->", "def platform_tags(*names: str) ->"),
        [(SAFE, "function platform_tags: *names added")],
    ),
    (
        "**kwargs removed",
        _edit(VERSION_OF, "def interpreter_version(*, warn: bool = False, **options: str) -> str:"),
        TAGS,
        [(BREAKING, "function interpreter_version: **options removed")],
    ),
    (
        "return annotation changed",
        TAGS,
        _edit("def parse_tag(tag: str) -> frozenset[Tag]:", "def parse_tag(tag: str) -> set[Tag]:"),
        [(SAFE, "function parse_tag: return annotation changed frozenset[Tag] → set[Tag]")],
    ),
    (
        "became a coroutine",
        TAGS,
        _edit("def parse_tag(", "async def parse_tag("),
        [(BREAKING, "function parse_tag: became a coroutine")],
    ),
    (
        "property turned into a method",
        TAGS,
        _edit("    @property\n    def abi(self)", "    def abi(self)"),
        [(BREAKING, "method Tag.abi: is no longer a property")],
    ),
    (
        "constant annotation changed",
        TAGS,
        _edit(
            "INTERPRETER_SHORT_NAMES: dict[str, str]", "INTERPRETER_SHORT_NAMES: Mapping[str, str]"
        ),
        [
            (
                SAFE,
                "constant INTERPRETER_SHORT_NAMES: annotation changed dict[str, str]"
                " → Mapping[str, str]",
            )
        ],
    ),
    (
        "function became a class",
        TAGS,
        _edit("def interpreter_name() -> str:", "class interpreter_name(str):"),
        [(BREAKING, "function interpreter_name: became a class")],
    ),
    (
        "private function re-signed",
        TAGS,
        _edit("def _generic_abi() -> list[str]:", "def _generic_abi(strict: bool) -> list[str]:"),
        [],
    ),
    (
        "docstring and body",
        TAGS,
        _edit("Parses the provided tag", "Parse the given tag").replace(
            "    return INTERPRETER_SHORT_NAMES.get(name) or name\n",
            "    return INTERPRETER_SHORT_NAMES.get(name.lower()) or name\n",
        ),
        [],
    ),
    ("comments and blank lines", TAGS, "# tags\n\n" + TAGS.replace("\n\n\n", "\n\n\n# --\n"), []),
]


@pytest.mark.parametrize(
    ("before", "after", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_each_rule(before: str, after: str, expected: list[tuple[str, str]]) -> None:
    assert _compare(before, after) == expected


def _pairs(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(c.path, c.severity, c.what) for c in compare_python(before, after)]


def test_dunder_all_decides_what_is_public() -> None:
    """packaging's version.py lists its API in __all__: only those names count."""
    version = _module("22.0", "version")
    listed = '__all__ = ["VERSION_PATTERN", "parse", "Version", "InvalidVersion"]'
    unlisted = _edit(listed, '__all__ = ["VERSION_PATTERN", "parse", "Version"]', version)
    assert _compare(version, unlisted) == [(BREAKING, "public class InvalidVersion removed")]
    private = _edit("def _cmpkey(", "def _cmpkey(strict, ", version)
    assert _compare(version, private) == []
    exported = _edit(listed, listed.replace("]", ', "_cmpkey"]'), version)
    assert _compare(version, exported) == [(SAFE, "public function _cmpkey added")]


METHODS = """
class Store:
    @classmethod
    def open(cls, path: str) -> "Store": ...

    @staticmethod
    def check(path: str) -> bool: ...

    def close(self) -> None: ...
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "@classmethod\n    def open(cls, ",
            "@staticmethod\n    def open(",
            (SAFE, "method Store.open: became a staticmethod"),
        ),
        (
            "@staticmethod\n    def check(",
            "@classmethod\n    def check(cls, ",
            (SAFE, "method Store.check: became a classmethod"),
        ),
        (
            "@staticmethod\n    def check(",
            "def check(self, ",
            (BREAKING, "method Store.check: became an instance method (was a staticmethod)"),
        ),
        (
            "def close(self)",
            "@staticmethod\n    def close()",
            (SAFE, "method Store.close: became a staticmethod"),
        ),
        (
            "def close(self)",
            "async def close(self)",
            (BREAKING, "method Store.close: became a coroutine"),
        ),
    ],
    ids=["class to static", "static to class", "static to instance", "instance to static", "async"],
)
def test_how_methods_are_reached(old: str, new: str, expected: tuple[str, str]) -> None:
    """The receiver (self, cls) is not a parameter callers pass."""
    assert _compare(METHODS, _edit(old, new, METHODS)) == [expected]


def test_bases_of_public_classes() -> None:
    text = "class InvalidName(ValueError):\n    pass\n"
    renamed = "class InvalidName(Exception):\n    pass\n"
    assert _pairs({"u.py": text}, {"u.py": renamed}) == [
        ("u.py", BREAKING, "class InvalidName: no longer derives from ValueError"),
        ("u.py", SAFE, "class InvalidName: now also derives from Exception"),
    ]
    private = "class Specifier(_IndividualSpecifier):\n    pass\n"
    public = "class Specifier(BaseSpecifier):\n    pass\n"
    assert [c.severity for c in compare_python({"s.py": private}, {"s.py": public})] == [
        SAFE,
        SAFE,
    ]


def test_overload_stubs_are_not_the_runtime_signature() -> None:
    text = (
        "from typing import overload\n"
        "@overload\ndef get(key: str) -> str: ...\n"
        "@overload\ndef get(key: int) -> int: ...\n"
        "def get(key, default=None):\n    return key\n"
    )
    assert _compare(text, text.replace("key: int) -> int", "key: bytes) -> bytes")) == []
    assert _compare(text, text.replace("key, default=None", "key")) == [
        (BREAKING, 'function get: parameter "default" removed')
    ]


def _release(old: str, new: str, name: str) -> list[tuple[str, str]]:
    path = f"src/packaging/{name}.py"
    before, after = {path: _module(old, name)}, {path: _module(new, name)}
    return [(c.severity, c.what) for c in compare_python(before, after)]


def test_real_release_that_dropped_legacy_versions() -> None:
    assert _release("21.3", "22.0", "version") == [
        (BREAKING, "public class LegacyVersion removed"),
        (
            SAFE,
            "function parse: return annotation changed Union['LegacyVersion', 'Version']"
            " → 'Version'",
        ),
    ]


def test_real_release_that_added_name_validation() -> None:
    assert _release("23.1", "23.2", "utils") == [
        (SAFE, "public class InvalidName added"),
        (
            SAFE,
            'function canonicalize_name: keyword-only parameter "validate" added with default'
            " False",
        ),
        (SAFE, "public function is_normalized_name added"),
    ]


def test_real_release_that_added_ios_tags() -> None:
    assert _release("24.1", "24.2", "tags") == [
        (SAFE, "public constant AppleVersion added"),
        (BREAKING, "public constant MacVersion removed"),
        (SAFE, "public function ios_platforms added"),
        (
            SAFE,
            'function mac_platforms: annotation of parameter "version" changed MacVersion | None'
            " → AppleVersion | None",
        ),
    ]


def test_real_release_that_rebuilt_specifiers() -> None:
    changes = _release("21.3", "22.0", "specifiers")
    assert Counter(severity for severity, _ in changes) == {SAFE: 18, BREAKING: 3}
    assert [what for severity, what in changes if severity == BREAKING] == [
        "public class LegacySpecifier removed",
        "public constant ParsedVersion removed",
        "public constant VersionTypeVar removed",
    ]
    assert (SAFE, "class Specifier: no longer derives from _IndividualSpecifier") in changes
    assert (
        SAFE,
        'method SpecifierSet.contains: parameter "installed" added with default None',
    ) in changes


def test_modules_added_and_removed() -> None:
    utils = {"utils.py": _module("23.2", "utils")}
    added = _pairs({}, utils)
    assert {severity for _, severity, _ in added} == {SAFE} and len(added) == 10
    removed = _pairs(utils, {})
    assert [what for _, _, what in removed] == [
        what.replace("added", "removed") for _, _, what in added
    ]
    assert {severity for _, severity, _ in removed} == {BREAKING}
    assert compare_python({}, {}) == ()


def test_order_is_by_file_then_name() -> None:
    before = {"b.py": "def z(): ...\ndef a(): ...\n", "a.py": "X = 1\n"}
    after = {"b.py": "", "a.py": ""}
    assert _pairs(before, after) == [
        ("a.py", BREAKING, "public constant X removed"),
        ("b.py", BREAKING, "public function a removed"),
        ("b.py", BREAKING, "public function z removed"),
    ]
    assert compare_python(before, after) == compare_python(dict(before), dict(after))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("def broken(:\n", "does not parse as Python (SyntaxError at line 1"),
        ("x = 1\x00\n", "does not parse as Python"),
        ("x = " + "(" * 300 + ")" * 300 + "\n", "does not parse as Python (SyntaxError"),
        ("def f(x=" + "-" * 100_000 + "1): ...\n", "does not parse as Python"),
        ("def f(x=" + "1+" * 50_000 + "1): ...\n", "does not parse as Python"),
    ],
    ids=["syntax", "null byte", "nested parentheses", "deep default", "long default"],
)
def test_unreadable_side_is_a_parse_error(text: str, why: str) -> None:
    with pytest.raises(ContractParseError) as caught:
        compare_python({"m.py": "def f(x=1): ...\n"}, {"m.py": text})
    assert (caught.value.path, caught.value.side) == ("m.py", "after")
    assert why in caught.value.why


def test_ten_megabytes_are_refused_in_bounded_time() -> None:
    huge = "".join(
        f"def f{i}(a, b=1, *, c: int = 2) -> int:\n    return a\n\n" for i in range(250_000)
    )
    assert len(huge) > 10_000_000
    start = time.perf_counter()
    with pytest.raises(ContractParseError) as caught:
        compare_python({}, {"gen.py": huge})
    assert time.perf_counter() - start < 5
    assert "1,000,000 per file" in caught.value.why


def test_largest_fixture_compares_in_bounded_time() -> None:
    start = time.perf_counter()
    _release("21.3", "22.0", "specifiers")
    assert time.perf_counter() - start < 5


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_damage_is_a_result_or_a_parse_error(data: st.DataObject) -> None:
    """Cut a random span out of a real module, or splice in random text: never a crash."""
    start = data.draw(st.integers(0, len(TAGS)))
    end = data.draw(st.integers(start, min(len(TAGS), start + 300)))
    splice = data.draw(st.text(alphabet="()[]{}:=*/,\n def_a\\\"'#@\x00", max_size=12))
    try:
        changes = compare_python({PATH: TAGS}, {PATH: TAGS[:start] + splice + TAGS[end:]})
    except ContractParseError as err:
        assert err.side == "after"
    else:
        assert all(change.path == PATH for change in changes)
