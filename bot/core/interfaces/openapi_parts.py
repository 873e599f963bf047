"""Compare the parts of an operation: a parameter, a request body, responses, headers, content.

Each function returns flat notes whose phrase starts with ``label`` (``parameter query
"limit"``, ``response 404``), so an operation and a reusable component (where the label is
empty: the component's name says it) share one set of rules.
"""

from __future__ import annotations

from bot.core.interfaces.openapi_refs import Direction, Note, Tree, rate, ref_of
from bot.core.interfaces.openapi_schema import Comparison, Level, compare_schema
from bot.core.severity import BREAKING, NON_BREAKING, Severity

# Parameter keywords that change how a value is written into the request.
_SERIALIZATION = ("style", "explode", "allowReserved", "allowEmptyValue")


def say(label: str, phrase: str) -> str:
    return f"{label} {phrase}" if label else phrase


def note(severity: Severity, label: str, phrase: str) -> Note:
    return Note(severity, "", say(label, phrase))


def under(label: str, notes: list[Note]) -> list[Note]:
    """Schema notes made into flat phrases under ``label``: ``label: property "a.b" removed``."""
    lead = f"{label}: " if label else ""
    return [Note(n.severity, "", lead + _subject(n.where) + n.phrase, n.keyword) for n in notes]


def as_map(value: object) -> dict[str, object]:
    """A mapping keyed by strings (YAML reads ``200:`` as a number), empty if not a mapping."""
    return {str(key): item for key, item in value.items()} if isinstance(value, dict) else {}


def compare_parameter(
    cmp: Comparison, label: str, old: Tree, new: Tree, direction: Direction
) -> list[Note]:
    """Name, required-ness, schema, content and serialization of one parameter."""
    notes = _identity_notes(label, old, new)
    notes += _required_notes(label, old, new, direction)
    schema = compare_schema(cmp, old.get("schema"), new.get("schema"), Level(direction))
    # A parameter's default is what the server assumes when the caller leaves it out.
    defaults = rate(direction, request=True, response=False)
    schema = [n._replace(severity=defaults) if _is_default(n) else n for n in schema]
    notes += under(label, schema)
    notes += compare_content(cmp, label, old.get("content"), new.get("content"), direction)
    for key in _SERIALIZATION:
        if old.get(key) != new.get(key):
            notes.append(note(BREAKING, label, f"{key} changed"))
    if old.get("deprecated") != new.get("deprecated"):
        deprecated = new.get("deprecated") is True
        notes.append(
            note(NON_BREAKING, label, "deprecated" if deprecated else "no longer deprecated")
        )
    return notes


def compare_body(
    cmp: Comparison, label: str, old_raw: object, new_raw: object, direction: Direction
) -> list[Note]:
    """A request body (or a webhook's payload) added, removed, made required, or its content."""
    if old_raw == new_raw:
        return []
    old, new = cmp.old.deref(old_raw), cmp.new.deref(new_raw)
    if old_raw is None:
        required = _required(new)
        phrase = "added as required" if required else "added"
        return [note(rate(direction, request=required, response=False), label, phrase)]
    if new_raw is None:
        return [note(BREAKING, label, "removed")]
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [note(BREAKING, label, _reference_phrase(old_raw, new_raw))]
    notes = _required_notes(label, old, new, direction)
    return notes + compare_content(cmp, label, old.get("content"), new.get("content"), direction)


def compare_responses(
    cmp: Comparison, old_map: object, new_map: object, direction: Direction
) -> list[Note]:
    """Statuses removed (breaking), added, or changed in content or headers."""
    old, new = as_map(old_map), as_map(new_map)
    notes: list[Note] = []
    for status in sorted(old.keys() | new.keys()):
        label = f"response {status}"
        if status not in new:
            notes.append(note(BREAKING, label, "removed"))
        elif status not in old:
            notes.append(note(NON_BREAKING, label, "added"))
        elif old[status] != new[status]:
            notes += compare_response(cmp, label, old[status], new[status], direction)
    return notes


def compare_response(
    cmp: Comparison, label: str, old_raw: object, new_raw: object, direction: Direction
) -> list[Note]:
    """One response's content, headers and links."""
    old, new = cmp.old.deref(old_raw), cmp.new.deref(new_raw)
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [note(BREAKING, label, _reference_phrase(old_raw, new_raw))]
    notes = compare_content(cmp, label, old.get("content"), new.get("content"), direction)
    notes += compare_headers(cmp, label, old.get("headers"), new.get("headers"), direction)
    if old.get("links") != new.get("links"):
        notes.append(note(NON_BREAKING, label, "links changed"))
    return notes


def compare_content(
    cmp: Comparison, label: str, old_map: object, new_map: object, direction: Direction
) -> list[Note]:
    """Media types removed (breaking), added, or with a changed schema or encoding."""
    old, new = as_map(old_map), as_map(new_map)
    notes: list[Note] = []
    for media_type in sorted(old.keys() | new.keys()):
        where = say(label, media_type)
        if media_type not in new:
            notes.append(note(BREAKING, where, "removed"))
        elif media_type not in old:
            notes.append(note(NON_BREAKING, where, "added"))
        else:
            notes += _media_notes(cmp, where, old[media_type], new[media_type], direction)
    return notes


def compare_headers(
    cmp: Comparison, label: str, old_map: object, new_map: object, direction: Direction
) -> list[Note]:
    """Response headers by case-insensitive name: removed (breaking), added, or changed."""
    old = {name.lower(): value for name, value in as_map(old_map).items()}
    new = {name.lower(): value for name, value in as_map(new_map).items()}
    notes: list[Note] = []
    for name in sorted(old.keys() | new.keys()):
        where = say(label, f'header "{name}"')
        if name not in new:
            notes.append(note(BREAKING, where, "removed"))
        elif name not in old:
            required = _required(cmp.new.deref(new[name]))
            phrase = "added as required" if required else "added"
            notes.append(note(rate(direction, request=required, response=False), where, phrase))
        elif old[name] != new[name]:
            notes += compare_header(cmp, where, old[name], new[name], direction)
    return notes


def compare_header(
    cmp: Comparison, label: str, old_raw: object, new_raw: object, direction: Direction
) -> list[Note]:
    """One header's required-ness, schema and content."""
    old, new = cmp.old.deref(old_raw), cmp.new.deref(new_raw)
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [note(BREAKING, label, _reference_phrase(old_raw, new_raw))]
    notes = _required_notes(label, old, new, direction)
    schema = compare_schema(cmp, old.get("schema"), new.get("schema"), Level(direction))
    notes += under(label, schema)
    return notes + compare_content(cmp, label, old.get("content"), new.get("content"), direction)


def _media_notes(
    cmp: Comparison, label: str, old: object, new: object, direction: Direction
) -> list[Note]:
    old_media, new_media = as_map(old), as_map(new)
    schema = compare_schema(cmp, old_media.get("schema"), new_media.get("schema"), Level(direction))
    notes = under(label, schema)
    if old_media.get("encoding") != new_media.get("encoding"):
        notes.append(note(BREAKING, label, "encoding changed"))
    return notes


def _identity_notes(label: str, old: Tree, new: Tree) -> list[Note]:
    """A parameter sent under another name or place; renaming a path parameter is invisible."""
    before, after = _place(old), _place(new)
    if before == after:
        return []
    severity = NON_BREAKING if before[0] == after[0] == "path" else BREAKING
    phrase = f'renamed from {before[0]} "{before[1]}" to {after[0]} "{after[1]}"'
    return [note(severity, label, phrase)]


def _place(param: Tree) -> tuple[object, object]:
    place, name = param.get("in"), param.get("name")
    return place, name.lower() if place == "header" and isinstance(name, str) else name


def _required_notes(label: str, old: Tree, new: Tree, direction: Direction) -> list[Note]:
    """Made required breaks whoever sends it; made optional breaks whoever relies on it."""
    was, now = _required(old), _required(new)
    if was == now:
        return []
    phrase = "became required" if now else "became optional"
    return [note(rate(direction, request=now, response=was), label, phrase)]


def _required(node: object) -> bool:
    return isinstance(node, dict) and node.get("required") is True


def _is_default(found: Note) -> bool:
    return found.keyword == "default" and not found.where


def _reference_phrase(old_raw: object, new_raw: object) -> str:
    old_ref, new_ref = ref_of(old_raw), ref_of(new_raw)
    return f"changed from {old_ref or 'inline'} to {new_ref or 'inline'}, which cannot be compared"


def _subject(where: str) -> str:
    if not where:
        return ""
    return f'items "{where}" ' if where.startswith("[]") else f'property "{where}" '
