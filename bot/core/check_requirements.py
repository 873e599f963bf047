"""The `checks` entries of a tier: a check's name and the one source allowed to report it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# GitHub Actions reports workflow jobs as check runs under this App slug, on github.com and GHES.
GITHUB_ACTIONS_SLUG = "github-actions"


class CheckSource(StrEnum):
    """Where a required check must come from."""

    ANY = "any"
    APP = "app"
    WORKFLOW = "workflow"
    STATUS = "status"


@dataclass(frozen=True)
class CheckRequirement:
    """A check a tier requires: its name and the one source allowed to report it.

    ``app`` is a slug (text) or a numeric App id; ``workflow`` a GitHub Actions workflow name.
    """

    name: str
    source: CheckSource = CheckSource.ANY
    app: str | int | None = None
    workflow: str | None = None

    @property
    def pinned(self) -> bool:
        return self.source is not CheckSource.ANY

    @property
    def key(self) -> str:
        """A stable id for progress and audit records; a bare name keeps its old ``check:name``."""
        if self.source is CheckSource.APP:
            return f"check:{self.name}@app:{self.app}"
        if self.source is CheckSource.WORKFLOW:
            return f"check:{self.name}@workflow:{self.workflow}"
        if self.source is CheckSource.STATUS:
            return f"check:{self.name}@status"
        return f"check:{self.name}"

    def describe(self) -> str:
        """The requirement in words: check `test` from app github-actions."""
        if self.source is CheckSource.APP:
            return f"check `{self.name}` from app {self.app}"
        if self.source is CheckSource.WORKFLOW:
            return f"check `{self.name}` from workflow {self.workflow}"
        if self.source is CheckSource.STATUS:
            return f"commit status `{self.name}`"
        return f"check `{self.name}` (unpinned: any app or commit status)"

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {"name": self.name, "source": self.source.value}
        if self.app is not None:
            data["app"] = self.app
        if self.workflow is not None:
            data["workflow"] = self.workflow
        return {**data, "pinned": self.pinned}


SOURCE_KEYS: tuple[str, ...] = ("app", "workflow", "status", "source")
_TEXT = {"type": "string", "minLength": 1}
# The keys of a pinned entry: its name and the sources, of which it names exactly one.
_ENTRY_KEYS: dict[str, object] = {
    "name": {**_TEXT, "description": "The check run's name, or the commit status context."},
    "app": {
        "type": ["string", "integer"],
        "minLength": 1,
        "minimum": 1,
        "description": "The App that must create the check run: its slug, or its numeric id.",
    },
    "workflow": {
        **_TEXT,
        "description": "The GitHub Actions workflow (by name) the check run must belong to.",
    },
    "status": {"const": True, "description": "A commit status context, not a check run."},
    "source": {"const": "any", "description": "Any app or commit status (unpinned)."},
}


def check_entry_schema() -> dict[str, object]:
    """The JSON Schema of one `checks` entry: a bare name, or a name with exactly one source."""
    bare = {**_TEXT, "description": "A check name from any app or status (unpinned)."}
    pinned = {
        "type": "object",
        "description": "A check with the one source allowed to report it.",
        "properties": _ENTRY_KEYS,
        "required": ["name"],
        "additionalProperties": False,
        "oneOf": [{"required": [key]} for key in SOURCE_KEYS],
    }
    return {"oneOf": [bare, pinned]}


def requirement_from_config(entry: object) -> CheckRequirement:
    """The model of one schema-valid entry; a bare name means any source."""
    if isinstance(entry, str):
        return CheckRequirement(entry)
    if not isinstance(entry, dict):
        raise TypeError(f"not a validated checks entry: {entry!r}")
    name = str(entry["name"])
    if "app" in entry:
        app = entry["app"]
        # A number names the App by id (YAML may read 15368.0 as a float); text is its slug.
        pinned = int(app) if isinstance(app, int | float) else str(app)
        return CheckRequirement(name, CheckSource.APP, app=pinned)
    if "workflow" in entry:
        return CheckRequirement(name, CheckSource.WORKFLOW, workflow=str(entry["workflow"]))
    if "status" in entry:
        return CheckRequirement(name, CheckSource.STATUS)
    return CheckRequirement(name)


def unpinned_warning(name: str) -> str:
    """What check-config says about a bare name (``source: any`` is a deliberate choice: quiet)."""
    return (
        f"check `{name}` is unpinned: any app or commit status named `{name}` satisfies it; "
        f"name its source, e.g. {{name: {name}, app: github-actions}}, "
        f"{{name: {name}, workflow: CI}} or {{name: {name}, status: true}} "
        f"(or {{name: {name}, source: any}} to accept any source knowingly)"
    )
