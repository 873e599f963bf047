"""The history of an evaluated pull request that the review-depth report needs: when it was
opened and merged, and its reviews."""

from __future__ import annotations

from typing import Any

from bot.core.report_trail import PullHistory, ReviewEvent, parse_time
from bot.evaluation.ports import RepoRef
from bot.gh.base import PortBase
from bot.gh.errors import port_call
from bot.gh.reads import login
from bot.gh.rest import repo_url


class HistoryReads(PortBase):
    """One installation's reads for the report: two requests per pull request, or more for a
    long list of reviews."""

    @port_call
    def pull_history(self, repo: RepoRef, number: int) -> PullHistory:
        url = f"{repo_url(repo)}/pulls/{number}"
        data = self.rest.get(url)
        merged_at = data.get("merged_at")
        return PullHistory(
            url=str(data.get("html_url") or ""),
            author=login(data.get("user")),
            created_at=parse_time(str(data["created_at"])),
            merged_at=parse_time(str(merged_at)) if merged_at else None,
            reviews=tuple(_review(r) for r in self.rest.pages(f"{url}/reviews")),
        )


def _review(item: dict[str, Any]) -> ReviewEvent:
    # A pending review has no submitted_at: it is not given yet.
    submitted = item.get("submitted_at")
    return ReviewEvent(
        user=login(item.get("user")),
        state=str(item["state"]) if submitted else "PENDING",
        submitted_at=parse_time(str(submitted)) if submitted else parse_time("1970-01-01"),
        commit_id=str(item.get("commit_id") or ""),
    )
