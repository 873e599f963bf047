"""The policy model (config file version 1) with its built-in defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.check_requirements import CheckRequirement
from bot.core.models import BUCKET_ORDER, Tier
from bot.core.triggers import L1When, L3When

# Names other modules import from here, with the model.
__all__ = [
    "BUCKET_ORDER",
    "DEFAULT_AI_TRAILERS",
    "DEFAULT_BUCKETS",
    "DEFAULT_INSTRUCTION_FILES",
    "DEFAULT_SIZE_IGNORE",
    "AiPolicy",
    "ConfigProblem",
    "Interface",
    "Invariant",
    "L1When",
    "L3When",
    "LabelPolicy",
    "OverridePolicy",
    "Policy",
    "Reviewers",
    "SizeLimit",
    "SizePolicy",
    "TierPolicy",
    "TiersPolicy",
]
DEFAULT_BUCKETS: dict[str, int] = {"XS": 0, "S": 10, "M": 30, "L": 100, "XL": 500, "XXL": 1000}
DEFAULT_AI_TRAILERS: tuple[str, ...] = (
    r"^Co-authored-by: .*(Claude|Copilot|Codex|Cursor|Devin)",
    r"^Generated-by:",
    r"^Assisted-by:",
)

# Files that steer coding agents: editing one changes what every later AI-written change does.
DEFAULT_INSTRUCTION_FILES: tuple[str, ...] = (
    "**/AGENTS.md",
    "**/AGENT.md",
    "**/CLAUDE.md",
    "**/CLAUDE.local.md",
    ".claude/**",  # settings.json there can define shell hooks the agent runs
    "**/GEMINI.md",
    ".cursorrules",
    "**/.cursor/rules/**",
    ".github/copilot-instructions.md",
    ".github/instructions/**",
    ".github/prompts/**",
    ".windsurfrules",
    ".windsurf/rules/**",
    ".clinerules",
)
# Machine-written files: lock files, vendored and minified code, test snapshots, translation
# catalogs. Gitignore semantics: a pattern without a slash matches at any depth.
DEFAULT_SIZE_IGNORE: tuple[str, ...] = (
    "**/*.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "go.sum",
    "packages.lock.json",
    "vendor/**",
    "*.min.js",
    "*.min.css",
    "**/__snapshots__/**",
    "*.snap",
    "*.po",
    "*.mo",
)


@dataclass(frozen=True)
class SizeLimit:
    lines: int
    files: int


@dataclass(frozen=True)
class SizePolicy:
    # Globs, read at the base, of files treated like linguist-generated ones.
    generated: tuple[str, ...] = ()
    buckets: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_BUCKETS))
    soft_limit: SizeLimit = SizeLimit(400, 40)
    hard_limit: SizeLimit = SizeLimit(1500, 100)
    ignore: tuple[str, ...] = DEFAULT_SIZE_IGNORE


@dataclass(frozen=True)
class Invariant:
    id: str
    statement: str
    paths: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()


@dataclass(frozen=True)
class Interface:
    id: str
    kind: str  # python | openapi | protobuf | graphql | sql | generic
    paths: tuple[str, ...]
    owners: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reviewers:
    teams: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    required_approvals: int = 1
    from_owners: bool = False
    invalidate_on_push: bool = False


@dataclass(frozen=True)
class TierPolicy:
    checks: tuple[CheckRequirement, ...] = ()
    reviewers: Reviewers = Reviewers()


@dataclass(frozen=True)
class TiersPolicy:
    l1_when: L1When = field(default_factory=L1When)
    l1: TierPolicy = TierPolicy()
    l2: TierPolicy = TierPolicy(reviewers=Reviewers(required_approvals=1, from_owners=True))
    l3_when: L3When = field(default_factory=L3When)
    l3: TierPolicy = TierPolicy(reviewers=Reviewers(required_approvals=1))
    # False while the policy names no tiers.L3.reviewers: L3 then asks what L2 asks, so the
    # deeper tier never requires less than the shallower one.
    l3_reviewers_configured: bool = False

    def for_tier(self, tier: Tier) -> TierPolicy:
        return {Tier.L1: self.l1, Tier.L2: self.l2, Tier.L3: self.l3}[tier]

    def reviewers_for(self, tier: Tier) -> tuple[Tier, Reviewers]:
        """The reviewers a tier requires and the tier they are configured under."""
        if tier is Tier.L3 and not self.l3_reviewers_configured:
            return Tier.L2, self.l2.reviewers
        return tier, self.for_tier(tier).reviewers

    def checks_for(self, tier: Tier) -> tuple[CheckRequirement, ...]:
        """The checks a tier requires: its own, then each shallower tier's that it does not
        name itself, so a deeper tier never requires fewer checks than a shallower one and
        its own entry (a pinned source, say) decides for a name both list."""
        found: dict[str, CheckRequirement] = {}
        for rank in range(tier.rank, 0, -1):
            for check in self.for_tier(Tier(f"L{rank}")).checks:
                found.setdefault(check.name, check)
        return tuple(found.values())


@dataclass(frozen=True)
class AiPolicy:
    trailers: tuple[str, ...] = DEFAULT_AI_TRAILERS
    labels: tuple[str, ...] = ("ai-assisted",)
    bots: tuple[str, ...] = ()
    min_tier: Tier = Tier.L2
    require_section: str | None = "## Generation context"
    instruction_files: tuple[str, ...] = DEFAULT_INSTRUCTION_FILES


@dataclass(frozen=True)
class OverridePolicy:
    roles: tuple[str, ...] = ("maintain", "admin")


@dataclass(frozen=True)
class LabelPolicy:
    tier_prefix: str = "tier/"
    size_prefix: str = "size/"
    override_prefix: str = "tier-override/"
    size_exception: str = "size-exception"
    recheck: str = "review-tiers/recheck"


@dataclass(frozen=True)
class Policy:
    """A parsed, validated repository policy. ``Policy()`` is the built-in default."""

    version: int = 1
    size: SizePolicy = SizePolicy()
    codeowners: bool = True
    invariants: tuple[Invariant, ...] = ()
    interfaces: tuple[Interface, ...] = ()
    tiers: TiersPolicy = TiersPolicy()
    ai: AiPolicy = AiPolicy()
    overrides: OverridePolicy = OverridePolicy()
    labels: LabelPolicy = LabelPolicy()


@dataclass(frozen=True)
class ConfigProblem:
    """One configuration error, shown to the user: key path (``tiers.L1.when.max_size``),
    1-based line in the YAML file (None when unknown) and a sentence."""

    path: str
    line: int | None
    message: str

    def render(self) -> str:
        where = f"line {self.line}" if self.line is not None else "line ?"
        return f"{where}: {self.path or '<root>'}: {self.message}"
