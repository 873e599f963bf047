"""The JSON Schema of the config file (version 1), derived from the model, and the plain
sentences for a file's violations of it."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import jsonschema

from bot.core.config import Policy
from bot.core.configfile.derive import Schema, section_schema
from bot.core.configfile.explain import explain
from bot.core.configfile.fields import walk_settings
from bot.core.yamlpos import KeyPath

SCHEMA_ID = "urn:review-tiers:config:v1"
ROOT_DESCRIPTION = (
    "review-tiers config, version 1, read from the PR's base branch; omitted keys: defaults."
)


def policy_schema() -> Schema:
    """The JSON Schema (draft 2020-12) of the config file, for validation and for editors."""
    meta = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID}
    root = section_schema(Policy, ROOT_DESCRIPTION, Policy())
    return {**meta, "title": "review-tiers configuration", **root}


def schema_findings(data: object) -> Iterator[tuple[KeyPath, str]]:
    """Every schema violation in ``data`` as (key path, sentence)."""
    validator, hints = _validator()
    for error in validator.iter_errors(data):
        yield from explain(error, hints)


@cache
def _validator() -> tuple[jsonschema.Draft202012Validator, dict[str, str]]:
    hints = {
        setting.doc.pattern.regex: setting.doc.pattern.hint
        for _, setting in walk_settings(Policy)
        if setting.doc.pattern is not None
    }
    return jsonschema.Draft202012Validator(policy_schema()), hints
