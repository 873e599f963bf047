"""A scratch repository with a month of history for backtests: merge, squash and direct
commits, AI trailers on the branch, a rename, CODEOWNERS, a policy change halfway and a
policy that does not validate for a while. One change a day from 2026-01-01."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.builders import ScratchRepo, lines

CONFIG = ".github/review-tiers.yml"
POLICY_V1 = """version: 1
invariants:
  - id: money-is-integer-cents
    statement: Monetary amounts are integer cents.
    paths: ["billing/**"]
    owners: ["@acme/payments"]
interfaces:
  - id: public-api
    kind: python
    paths: ["src/api/**/*.py"]
    owners: ["@acme/api"]
tiers:
  L1:
    when: {only_paths: ["docs/**", "**/*.md"], max_size: S}
  L3:
    when: {invariants: true, interfaces: true}
"""
# Halfway the team starts treating infrastructure as architecture.
POLICY_V2 = POLICY_V1.replace("interfaces: true}", 'interfaces: true, paths: ["infra/**"]}')
INVALID = POLICY_V2 + "surprise: true\n"
API_V1 = "def get_user(user_id: int) -> dict:\n    return {}\n"
API_V2 = API_V1 + "\n\ndef list_users() -> list:\n    return []\n"
API_V3 = API_V2.replace("user_id: int", "user_id: str")


@dataclass
class History:
    repo: ScratchRepo
    day: int = 0
    commits: dict[str, str] = field(default_factory=dict)

    def date(self, hour: int = 12) -> None:
        stamp = f"2026-01-{self.day:02d}T{hour:02d}:00:00Z"
        self.repo.env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}

    def direct(self, name: str, files: dict[str, str], message: str = "") -> None:
        self.day += 1
        self.date()
        for path, text in files.items():
            self.repo.write(path, text)
        self.commits[name] = self.repo.commit(message or f"Change {name}")

    def pull(self, name: str, number: int, steps: list[tuple[str, dict[str, str]]]) -> None:
        """A branch with one commit per step, merged with a merge commit."""
        self._branch(name, steps)
        title = f"Pull request {name}"
        message = f"Merge pull request #{number} from acme/{name}\n\n{title}"
        self.date(12)
        self.commits[name] = self.repo.merge(name, message)

    def squash(self, name: str, number: int, files: dict[str, str], trailer: str = "") -> None:
        self._branch(name, [("work", files)])
        self.date(12)
        message = f"Squashed {name} (#{number})" + (f"\n\n{trailer}" if trailer else "")
        self.commits[name] = self.repo.squash(name, message)

    def _branch(self, name: str, steps: list[tuple[str, dict[str, str]]]) -> None:
        self.day += 1
        self.repo.git("checkout", "-q", "-b", name, "main")
        for hour, (message, files) in enumerate(steps, start=8):
            self.date(hour)
            for path, text in files.items():
                self.repo.write(path, text)
            self.repo.commit(message)


def build_history(root: Path) -> History:
    repo = ScratchRepo(root)
    history = History(repo)
    repo.env = {
        "GIT_AUTHOR_DATE": "2025-12-31T12:00:00Z",
        "GIT_COMMITTER_DATE": "2025-12-31T12:00:00Z",
    }
    repo.write("README.md", "# project\n")
    repo.write(CONFIG, POLICY_V1)
    repo.write("src/api/users.py", API_V1)
    repo.commit("initial")
    _first_half(history)
    _second_half(history)
    return history


def _first_half(h: History) -> None:
    h.direct("docs", {"docs/guide.md": lines(5, "guide")})
    h.pull(
        "feature-a",
        1,
        [("Start the app", {"src/app.py": lines(20)}), ("More", {"src/app.py": lines(30)})],
    )
    h.squash("typo", 2, {"README.md": "# Project\n"})
    h.direct("infra-early", {"infra/deploy.sh": lines(8, "step")})
    h.pull(
        "ledger",
        3,
        [("Ledger", {"billing/ledger.py": "def total(c: int) -> int:\n    return c\n"})],
    )
    h.squash(
        "ai-squash", 4, {"src/tool.py": lines(12)}, "Co-authored-by: Claude <noreply@example.com>"
    )
    h.pull(
        "ai-branch",
        5,
        [
            ("Helper\n\nAssisted-by: Copilot", {"src/helper.py": lines(4)}),
            ("Tidy", {"src/helper.py": lines(6)}),
        ],
    )
    h.direct("api-add", {"src/api/users.py": API_V2})
    h.squash("big", 6, {"src/big.py": lines(140, "big")})
    h.direct("codeowners", {".github/CODEOWNERS": "* @acme/core\nbilling/ @acme/payments\n"})
    h.pull("owned", 7, [("Touch app", {"src/app.py": lines(31)})])
    h.repo.git("mv", "src/tool.py", "src/tools.py")
    h.direct("rename", {})


def _second_half(h: History) -> None:
    h.direct("policy-v2", {CONFIG: POLICY_V2}, "Treat infrastructure changes as architecture")
    h.direct("infra-late", {"infra/deploy.sh": lines(9, "step")})
    h.pull("docs-pr", 8, [("Docs", {"docs/guide.md": lines(7, "guide")})])
    h.squash("assets", 9, {"web/logo.png": "\x00PNG" * 10, "yarn.lock": lines(300, "dep")})
    h.direct("empty", {})
    h.pull("api-break", 10, [("Break", {"src/api/users.py": API_V3})])
    h.direct("attributes", {".gitattributes": "gen/** linguist-generated\n"})
    h.squash("generated", 11, {"gen/client.py": lines(600, "gen")})
    h.direct("policy-broken", {CONFIG: INVALID}, "Try a new key")
    h.direct("under-broken", {"src/app.py": lines(33)})
    h.direct("policy-fixed", {CONFIG: POLICY_V2}, "Drop the unknown key")
    h.pull("docs-late", 12, [("Docs again", {"docs/more.md": lines(3)})])
    h.squash(
        "billing-late", 13, {"billing/ledger.py": "def total(c: int) -> float:\n    return c\n"}
    )
    h.direct("docs-direct", {"docs/guide.md": lines(2, "guide")})
    _cross_merge(h)
    h.direct("readme", {"README.md": "# Project\n\nMore words.\n"})


def _cross_merge(h: History) -> None:
    """A branch that merged main midway: the change holds its own commits, not main's."""
    h._branch("cross", [("Cross one", {"src/cross.py": lines(3)})])
    h.repo.git("checkout", "-q", "main")
    h.date(9)
    h.repo.write("docs/side.md", lines(2))
    side = h.repo.commit("Side change on main\n\nAssisted-by: Copilot")
    h.commits["side"] = side
    h.repo.git("checkout", "-q", "cross")
    h.date(10)
    h.repo.git("merge", "-q", "--no-ff", "-m", "Merge main into cross", "main")
    h.date(11)
    h.repo.write("src/cross.py", lines(5))
    h.repo.commit("Cross two")
    h.date(12)
    h.commits["cross"] = h.repo.merge("cross", "Merge pull request #14 from acme/cross\n\nCross")
