"""docs/reasons.md documents every reason code the App emits, and only those."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
REASONS_DOC = ROOT / "docs" / "reasons.md"
# A code GitHub turns into an identical heading anchor: lower-case words joined by hyphens.
CODE_SHAPE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
# Code expressions that hand on a code named elsewhere rather than name one: a detector's
# reason re-worded with the interface id, a reason copied into JSON or an audit record, and
# the code a caller gives ``report_failure``. Any other expression the walk cannot resolve to
# a string fails the test: name new codes with a literal or a module-level constant.
PASS_THROUGH = {
    ("bot/core/backtest.py", "r.code"),
    ("bot/core/blast.py", "r.code"),
    ("bot/core/render.py", "r.code"),
    ("bot/evaluation/record.py", "r.code"),
    ("bot/evaluation/reports.py", "code"),
}
KNOWN = {
    "invariant",
    "interface",
    "unparsable",
    "agent-instructions",
    "generated-marker-ignored",
    "grant-suspended",
    "truncated",
    "empty",
    "timeout",
    "gave-up",
    "config",
}
PARTS = ("**When:**", "**Effect:**", "**Resolve:**")


@dataclass
class Module:
    """One parsed module: its string constants and the names it imports from other modules."""

    tree: ast.Module
    constants: dict[str, str] = field(default_factory=dict)
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def parse_module(source: str) -> Module:
    tree = ast.parse(source)
    module = Module(tree)
    for node in tree.body:
        target, value = _assignment(node)
        if target is not None and isinstance(value, ast.Constant) and isinstance(value.value, str):
            module.constants[target] = value.value
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                module.imports[alias.asname or alias.name] = (node.module, alias.name)
    return module


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    return None, None


def resolve(modules: dict[str, Module], name: str, symbol: str) -> str | None:
    """The string a module-level name stands for, following ``from x import y`` chains."""
    for _ in range(10):
        module = modules.get(name)
        if module is None:
            return None
        if symbol in module.constants:
            return module.constants[symbol]
        if symbol not in module.imports:
            return None
        name, symbol = module.imports[symbol]
    return None


def code_expressions(tree: ast.Module) -> list[ast.expr]:
    """The first argument (or ``code=``) of each ``Reason(...)``, and the ``"code"`` value of
    each ``{"code": ..., "message": ...}`` record."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node.func) == "Reason":
            keyword = [k.value for k in node.keywords if k.arg == "code"]
            found += node.args[:1] or keyword
        elif isinstance(node, ast.Dict):
            keys = {k.value: v for k, v in zip(node.keys, node.values, strict=True) if _text(k)}
            if "code" in keys and "message" in keys:
                found.append(keys["code"])
    return found


def _called(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _text(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


@dataclass
class Collected:
    codes: set[str] = field(default_factory=set)
    unresolved: list[str] = field(default_factory=list)


def collect(modules: dict[str, Module], paths: dict[str, str]) -> Collected:
    """Every code the modules name; ``paths`` maps module names to their repository paths."""
    out = Collected()
    for name, module in modules.items():
        for expr in code_expressions(module.tree):
            code = _value(modules, name, expr)
            if code is not None:
                out.codes.add(code)
            elif (paths[name], ast.unparse(expr)) not in PASS_THROUGH:
                out.unresolved.append(f"{paths[name]}:{expr.lineno}: {ast.unparse(expr)}")
    return out


def _value(modules: dict[str, Module], name: str, expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Name):
        return resolve(modules, name, expr.id)
    return None


def source_codes() -> Collected:
    modules: dict[str, Module] = {}
    paths: dict[str, str] = {}
    for path in sorted(BOT.rglob("*.py")):
        name = module_name(path, BOT)
        modules[name] = parse_module(path.read_text())
        paths[name] = str(path.relative_to(ROOT))
    return collect(modules, paths)


def documented() -> list[tuple[str, str]]:
    """(heading, body) of each level-3 section of docs/reasons.md: one per reason code."""
    text = REASONS_DOC.read_text()
    sections = re.split(r"^### ", text, flags=re.M)[1:]
    return [(s.split("\n", 1)[0].strip(), s.split("\n## ", 1)[0]) for s in sections]


def test_the_walk_finds_the_known_codes() -> None:
    collected = source_codes()
    assert collected.codes >= KNOWN
    assert not collected.unresolved, "name each reason code with a literal or a constant"


def test_the_walk_follows_constants_and_flags_what_it_cannot_resolve() -> None:
    modules = {
        "bot.codes": parse_module('OWN = "own"\nSHARED: str = "shared"\n'),
        "bot.reexport": parse_module("from bot.codes import SHARED\n"),
        "bot.rule": parse_module(
            "from bot.reexport import SHARED as S\n"
            "from bot.codes import OWN\n"
            "LOCAL = 'local'\n"
            "a = [Reason(S, 'm'), Reason(code=OWN, message='m'), Reason(LOCAL, 'm')]\n"
            "b = models.Reason('literal', 'm')\n"
            "c = {'code': 'record', 'message': 'm'}\n"
            "d = Reason(pick(), 'm')\n"
        ),
    }
    paths = {name: name.replace(".", "/") + ".py" for name in modules}
    collected = collect(modules, paths)
    assert collected.codes == {"shared", "own", "local", "literal", "record"}
    assert collected.unresolved == ["bot/rule.py:7: pick()"]


def test_every_emitted_code_is_documented_and_every_documented_code_is_emitted() -> None:
    headings = [heading for heading, _ in documented()]
    emitted = source_codes().codes
    assert sorted(emitted - set(headings)) == [], "add these codes to docs/reasons.md"
    assert sorted(set(headings) - emitted) == [], "docs/reasons.md lists codes no longer emitted"
    assert len(headings) == len(set(headings)), "a code is documented twice"


ENTRIES = documented()


@pytest.mark.parametrize("heading,body", ENTRIES, ids=[heading for heading, _ in ENTRIES])
def test_each_entry_is_anchored_and_complete(heading: str, body: str) -> None:
    assert CODE_SHAPE.fullmatch(heading), f"{heading!r}: its anchor would not be #{heading}"
    for part in PARTS:
        assert part in body, f"{heading}: missing {part}"


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_no_other_heading_takes_a_codes_anchor() -> None:
    # GitHub numbers a repeated anchor (#size-1), so a theme heading "Size" would take #size.
    headings = re.findall(r"^#{1,6} (.+)$", REASONS_DOC.read_text(), flags=re.M)
    anchors = [github_anchor(h) for h in headings]
    assert len(anchors) == len(set(anchors)), sorted(a for a in anchors if anchors.count(a) > 1)
