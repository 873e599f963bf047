"""The policy model (config file version 1): every key of the file, its default and its rules.

This is the one description of the config file. Each field's ``doc`` metadata holds the
sentence editors show and the constraints the file must meet: bot/core/schema.py derives the
published JSON Schema from it, bot/core/policy.py builds these dataclasses from a validated file,
and ``Policy()`` is the built-in default. The sections mirror the file's nesting; a field whose
key differs from its name says so (``key="L1"``). docs/config-model.md shows how to add a key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.areas import MATCH_ALL, MATCH_CHOICES, MATCH_CODE, Interface, Invariant
from bot.core.configfile.fields import Check, doc, internal
from bot.core.defaults import (
    DEFAULT_AI_TRAILERS,
    DEFAULT_BUCKETS,
    DEFAULT_INSTRUCTION_FILES,
    DEFAULT_SIZE_IGNORE,
    GITHUB_ROLES,
    LOGIN,
    SPEC,
)
from bot.core.models import BUCKET_ORDER, Mode, Tier
from bot.core.spec_floors import LOOSEN_CHOICES
from bot.core.tier_policy import L1Tier, L2Tier, L3Tier, Reviewers, TiersPolicy
from bot.core.triggers import L1When, L3When

# Names other modules import from here, with the model.
__all__ = [
    "BUCKET_ORDER",
    "DEFAULT_AI_TRAILERS",
    "DEFAULT_BUCKETS",
    "DEFAULT_INSTRUCTION_FILES",
    "DEFAULT_SIZE_IGNORE",
    "MATCH_ALL",
    "MATCH_CHOICES",
    "MATCH_CODE",
    "AiPolicy",
    "ConfigProblem",
    "Interface",
    "Invariant",
    "L1Tier",
    "L1When",
    "L2Tier",
    "L3Tier",
    "L3When",
    "LabelPolicy",
    "Mode",
    "OverridePolicy",
    "OwnershipPolicy",
    "Policy",
    "PreviewPolicy",
    "Reviewers",
    "SizeLimit",
    "SizePolicy",
    "TiersPolicy",
]

GLOB, REGEX, LABEL = Check.GLOB, Check.REGEX, Check.LABEL


@dataclass(frozen=True)
class SizeLimit:
    lines: int = field(metadata=doc("Counted lines.", minimum=0))
    files: int = field(metadata=doc("Counted files.", minimum=0))


@dataclass(frozen=True)
class SizePolicy:
    buckets: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_BUCKETS),
        metadata=doc(
            "Lower bounds of counted lines, increasing from XS = 0.",
            keys=BUCKET_ORDER,
            key_description="Lowest line count of {key}.",
            minimum=0,
        ),
    )
    # Globs, read at the base, of files treated like linguist-generated ones.
    generated: tuple[str, ...] = field(
        default=(), metadata=doc("Globs of generated files, not counted.", check=GLOB)
    )
    soft_limit: SizeLimit = field(
        default=SizeLimit(400, 40), metadata=doc("Over this, the sticky comment asks to split.")
    )
    hard_limit: SizeLimit = field(
        default=SizeLimit(1500, 100), metadata=doc("Over this, the check fails unless excepted.")
    )
    ignore: tuple[str, ...] = field(
        default=DEFAULT_SIZE_IGNORE,
        metadata=doc("Gitignore-style globs of files not counted.", check=GLOB),
    )


@dataclass(frozen=True)
class OwnershipPolicy:
    codeowners: bool = field(default=True, metadata=doc("Use CODEOWNERS on the base branch."))


@dataclass(frozen=True)
class AiPolicy:
    trailers: tuple[str, ...] = field(
        default=DEFAULT_AI_TRAILERS,
        metadata=doc("RE2 regexes over commit message lines, any case.", check=REGEX),
    )
    labels: tuple[str, ...] = field(
        default=("ai-assisted",),
        metadata=doc("Labels marking a pull request AI-assisted.", check=LABEL),
    )
    bots: tuple[str, ...] = field(
        default=(),
        metadata=doc("Bot logins whose pull requests are AI-assisted.", pattern=LOGIN),
    )
    min_tier: Tier = field(default=Tier.L2, metadata=doc("Lowest tier of AI-assisted PRs."))
    require_section: str | None = field(
        default="## Generation context",
        metadata=doc("Heading AI-assisted PRs at L2+ must have; null: none.", nonempty=True),
    )
    instruction_files: tuple[str, ...] = field(
        default=DEFAULT_INSTRUCTION_FILES,
        metadata=doc(
            "Gitignore-style globs of files that steer coding agents; a change is at least L2.",
            check=GLOB,
        ),
    )


@dataclass(frozen=True)
class OverridePolicy:
    roles: tuple[str, ...] = field(
        default=("maintain", "admin"),
        metadata=doc(
            "Repository roles that may apply override labels:"
            f" {', '.join(GITHUB_ROLES)} or a custom role."
        ),
    )


@dataclass(frozen=True)
class LabelPolicy:
    tier_prefix: str = field(
        default="tier/",
        metadata=doc("Prefix of tier labels (tier/L1).", check=LABEL, label_suffix="L3"),
    )
    size_prefix: str = field(
        default="size/",
        metadata=doc("Prefix of size labels (size/XS).", check=LABEL, label_suffix="XXL"),
    )
    override_prefix: str = field(
        default="tier-override/",
        metadata=doc("Prefix of override labels.", check=LABEL, label_suffix="L3"),
    )
    size_exception: str = field(
        default="size-exception",
        metadata=doc("Size-exception label.", nonempty=True, check=LABEL),
    )
    recheck: str = field(
        default="review-tiers/recheck",
        metadata=doc("Label asking for re-evaluation.", nonempty=True, check=LABEL),
    )


@dataclass(frozen=True)
class PreviewPolicy:
    max_pulls: int = field(
        default=50,
        metadata=doc(
            "Open pull requests a policy or CODEOWNERS change previews; 0: none.", minimum=0
        ),
    )


@dataclass(frozen=True)
class Policy:
    """A parsed, validated repository policy. ``Policy()`` is the built-in default."""

    version: int = field(default=1, metadata=doc("Format version: 1.", const=1, required=True))
    extends: str | None = field(
        default=None,
        metadata=doc(
            "A shared spec file whose invariants and interfaces are added and whose other keys"
            " are defaults: owner/repo[:path][@ref].",
            pattern=SPEC,
        ),
    )
    allow_loosen: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "Floor keys of this file that a repository extending it may loosen.",
            choices=LOOSEN_CHOICES,
        ),
    )
    size: SizePolicy = field(
        default=SizePolicy(), metadata=doc("Size buckets, limits and files left out of the count.")
    )
    ownership: OwnershipPolicy = field(
        default=OwnershipPolicy(), metadata=doc("Who owns the changed files.")
    )
    invariants: tuple[Invariant, ...] = field(
        default=(),
        metadata=doc(
            "Registry of invariants; touching one escalates.",
            entry="An invariant: a rule of the system its owners guard.",
        ),
    )
    interfaces: tuple[Interface, ...] = field(
        default=(),
        metadata=doc(
            "Declared contracts; touching one escalates.",
            entry="An interface or contract whose change escalates to L3.",
        ),
    )
    tiers: TiersPolicy = field(default=TiersPolicy(), metadata=doc("Tier rules and requirements."))
    ai: AiPolicy = field(
        default=AiPolicy(),
        metadata=doc("How AI-assisted pull requests are recognised and treated."),
    )
    overrides: OverridePolicy = field(
        default=OverridePolicy(), metadata=doc("Who may apply override and exception labels.")
    )
    labels: LabelPolicy = field(
        default=LabelPolicy(), metadata=doc("Label names (GitHub allows at most 50 characters).")
    )
    mode: Mode = field(
        default=Mode.ENFORCE,
        metadata=doc(
            "enforce, or shadow: a neutral check names the tier; no labels, requests or comments."
        ),
    )
    preview: PreviewPolicy = field(
        default=PreviewPolicy(),
        metadata=doc("How a pull request changing the policy shows its effect on open ones."),
    )

    # Where the policy came from beyond the repository's own file: the spec files it extends,
    # nearest first, each as owner/repo@sha:path.
    specs: tuple[str, ...] = field(default=(), metadata=internal("set by the spec merge"))

    @property
    def codeowners(self) -> bool:
        return self.ownership.codeowners


@dataclass(frozen=True)
class ConfigProblem:
    """One configuration error, shown to the user: key path (``tiers.L1.when.max_size``),
    1-based line in the YAML file (None when unknown) and a sentence."""

    path: str
    line: int | None
    message: str
    # The spec file the problem is in (owner/repo@sha:path); "" for the file being checked.
    origin: str = ""

    def render(self) -> str:
        where = f"line {self.line}" if self.line is not None else "line ?"
        where = f"{self.origin} {where}" if self.origin else where
        return f"{where}: {self.path or '<root>'}: {self.message}"
