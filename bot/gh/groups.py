"""The port's reads of a merge group: the commits of a range and their pull requests."""

from __future__ import annotations

from urllib.parse import quote

from bot.evaluation.ports import CommitRange, PullInfo, RepoRef
from bot.gh.base import PortBase
from bot.gh.errors import port_call
from bot.gh.reads import pull_info
from bot.gh.rest import repo_url

# Pages of 100 commits read of a range; a longer range is reported as not read in full.
MAX_RANGE_PAGES = 3


class GroupReads(PortBase):
    """Reads addressed by commit, for a merge group's check."""

    @port_call
    def fetch_commit_range(self, repo: RepoRef, base: str, head: str) -> CommitRange:
        # Paging parameters make GitHub page the commits (oldest first) instead of cutting the
        # list at 250; ``total_commits`` tells whether the pages read hold them all.
        url = f"{repo_url(repo)}/compare/{quote(base, safe='')}...{quote(head, safe='')}"
        first = self.rest.get(url, {"per_page": 100, "page": 1})
        shas = [str(c["sha"]) for c in first["commits"]]
        total = int(first["total_commits"])
        page = 1
        while len(shas) < total and page < MAX_RANGE_PAGES:
            page += 1
            more = self.rest.get(url, {"per_page": 100, "page": page})["commits"]
            if not more:
                break
            shas += [str(c["sha"]) for c in more]
        return CommitRange(tuple(shas), total)

    @port_call
    def fetch_commit_pulls(self, repo: RepoRef, sha: str) -> tuple[PullInfo, ...]:
        pulls = self.rest.pages(f"{repo_url(repo)}/commits/{sha}/pulls")
        return tuple(pull_info(repo, p) for p in pulls)
