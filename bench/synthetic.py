"""The synthetic pull requests the classification and backtest benches share: the policy they
are judged by, their areas with owners, and how many lines each file changes."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tests" / "fixtures" / "configs" / "spec-example.yml"
LINES_PER_FILE = 33  # 3,000 files ≈ 100,000 changed lines
AREAS = ("billing", "src/acme/api", "docs", "web", "infra", "lib")
CODEOWNERS = "\n".join(f"/{a}/ @acme/{a.split('/')[-1]}" for a in AREAS) + "\n*.md @acme/docs\n"
