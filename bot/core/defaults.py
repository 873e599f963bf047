"""The built-in lists and the text rules the config model refers to."""

from __future__ import annotations

from bot.core.configfile.fields import TextPattern

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


GITHUB_ROLES: tuple[str, ...] = ("read", "triage", "write", "maintain", "admin")
ID = TextPattern(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    "a valid id (letters, digits, '.', '_' and '-', starting with a letter or digit)",
)
OWNER = TextPattern(
    r"^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\s]+@[^@\s]+)$",
    "a CODEOWNERS owner (@user, @org/team-slug or an email address)",
)
TEAM = TextPattern(
    r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._-]*$",
    "a team written as org/team-slug (without '@')",
)
LOGIN = TextPattern(
    r"^[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?$",
    "a GitHub login such as octocat or dependabot[bot] (without '@')",
)
SPEC = TextPattern(
    # Plain characters only: the origin built from it is quoted in markdown as it is.
    r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+(:[A-Za-z0-9._-][A-Za-z0-9._/-]*)?"
    r"(@[A-Za-z0-9._/-]+)?$",
    "a spec file written as owner/repo, owner/repo:path or either with @ref",
)
