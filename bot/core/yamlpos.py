"""Load YAML text into plain data plus the line of every key path, reporting problems as values."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml
from yaml.reader import ReaderError

from bot.core.config import ConfigProblem

KeyPath = tuple[str | int, ...]

# Config files are small; these bounds stop alias bombs ("billion laughs") and absurd nesting
# from exhausting memory or the interpreter stack while plain data is built from the node graph.
MAX_VALUES = 20_000
MAX_DEPTH = 40

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_TAG + name for name in ("str", "int", "float", "bool", "null"))
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Positioned:
    """Plain data (None when unreadable), the 1-based line of each key path, and problems."""

    data: object
    lines: dict[KeyPath, int] = field(default_factory=dict)
    problems: tuple[ConfigProblem, ...] = ()

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, else of its nearest ancestor present in the file."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


def format_path(path: KeyPath) -> str:
    """``("invariants", 0, "patterns", 1)`` → ``invariants[0].patterns[1]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


def describe(value: object) -> str:
    """How a value read from YAML is named in a sentence."""
    if value is None or isinstance(value, bool):
        return "null (an empty value)" if value is None else str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value[:60]!r}"
    return "a mapping" if isinstance(value, dict) else "a list"


def walk(data: object, pattern: KeyPath, prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, object]]:
    """Values at ``pattern`` ("*" stands for every list index), skipping misshapen parts."""
    if not pattern:
        yield prefix, data
    elif pattern[0] == "*" and isinstance(data, list):
        for index, item in enumerate(data):
            yield from walk(item, pattern[1:], (*prefix, index))
    elif isinstance(data, dict) and pattern[0] in data:
        yield from walk(data[pattern[0]], pattern[1:], (*prefix, pattern[0]))


def load_positioned(text: str) -> Positioned:
    """Compose ``text`` (a single YAML document) and build plain data with key-path lines."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        return _unreadable(_syntax_line(err), f"invalid YAML: {_syntax_message(err)}")
    except ReaderError as err:
        line = text.count("\n", 0, int(err.position)) + 1
        return _unreadable(line, f"not a text file: {err.reason} (at character {err.position})")
    except yaml.YAMLError as err:
        return _unreadable(1, f"invalid YAML: {err}")
    except RecursionError:
        # The composer recurses once per nesting level; thousands of "[" exhaust the stack.
        return _unreadable(1, "invalid YAML: values are nested too deeply")
    if root is None:
        return _unreadable(1, "the file is empty; write at least `version: 1`")
    builder = _Builder()
    try:
        data = builder.build(root, ())
    except _Abort as abort:
        return _unreadable(abort.line, abort.message)
    return Positioned(data, builder.lines, tuple(builder.problems))


def _unreadable(line: int, message: str) -> Positioned:
    return Positioned(None, {}, (ConfigProblem("", line, message),))


def _syntax_line(err: yaml.MarkedYAMLError) -> int:
    mark = err.problem_mark or err.context_mark
    return mark.line + 1 if mark is not None else 1


def _syntax_message(err: yaml.MarkedYAMLError) -> str:
    text = ": ".join(part for part in (err.context, err.problem) if part)
    context, problem = err.context_mark, err.problem_mark
    if context is not None and problem is not None and context.line != problem.line:
        text += f" (see also line {context.line + 1})"
    return text


class _Abort(Exception):
    """Stops building: the document is too large or too deep to be a config file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Builder:
    """Turns a composed node graph into dicts, lists and scalars, recording lines and problems."""

    def __init__(self) -> None:
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[ConfigProblem] = []
        self._active: set[int] = set()
        self._budget = MAX_VALUES
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: KeyPath) -> object:
        line = _line(node)
        self.lines.setdefault(path, line)
        self._budget -= 1
        if self._budget < 0:
            raise _Abort(line, f"too many values (over {MAX_VALUES}, counting expanded aliases)")
        if len(path) > MAX_DEPTH:
            raise _Abort(line, f"values are nested more than {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if id(node) in self._active:
            # An alias inside its own anchor (`&a [*a]`) would make an endless structure.
            self._problem(path, line, "an alias refers to the value that contains it")
            return None
        self._check_tag(node, path, _TAG + ("map" if isinstance(node, yaml.MappingNode) else "seq"))
        self._active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self._active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, object]:
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = _line(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(path, line, "keys must be plain text, not a list or a mapping")
                continue
            key: str = key_node.value
            child = (*path, key)
            if key in first_line:
                # PyYAML silently keeps the last of repeated keys; a repeat is almost always a
                # copy-paste slip, so say so instead of guessing which one was meant.
                self._problem(
                    child, line, f"duplicate key '{key}' (first on line {first_line[key]})"
                )
                continue
            first_line[key] = line
            self.lines[child] = line
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: yaml.ScalarNode, path: KeyPath) -> object:
        if node.tag == _TAG + "timestamp":
            # JSON has no dates: a date-like value stays the text the user wrote.
            return str(node.value)
        if not self._check_tag(node, path, *_SCALAR_TAGS):
            return str(node.value)
        try:
            return self._constructor.construct_object(node)
        except (ValueError, LookupError, yaml.YAMLError):
            # Explicit tags such as `!!int abc` or `!!bool maybe` cannot be converted.
            self._problem(path, _line(node), f"cannot read {node.value!r} as {_short(node.tag)}")
            return str(node.value)

    def _check_tag(self, node: yaml.Node, path: KeyPath, *allowed: str) -> bool:
        if node.tag in allowed:
            return True
        self._problem(path, _line(node), f"unsupported YAML tag '{_short(node.tag)}'")
        return False

    def _problem(self, path: KeyPath, line: int, message: str) -> None:
        self.problems.append(ConfigProblem(format_path(path), line, message))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1 if node.start_mark is not None else 1


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag
