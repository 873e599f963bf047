"""Collaborator roles, cached in Redis for a few minutes per installation, repository and user.

A role GitHub changes (granted, lowered or revoked) takes effect here within ROLE_SECONDS.
Only answers are kept: a refusal or error is asked again on the next lookup.
"""

from __future__ import annotations

from urllib.parse import quote

from redis import Redis

from bot.gh.rest import Rest

ROLE_KEY = "rt:role:{installation_id}:{repo}:{user}"
# Short on purpose: a revoked role must stop granting overrides and approvals soon.
ROLE_SECONDS = 300


class Roles:
    def __init__(self, redis: Redis, installation_id: int) -> None:
        self.redis = redis
        self.installation_id = installation_id

    def role(self, rest: Rest, repo_url: str, user: str, fresh: bool = False) -> str:
        """The user's role name on the repository (raises PyGithub's errors, 404 included);
        ``fresh`` asks GitHub even when a role is cached, and caches the answer."""
        key = ROLE_KEY.format(
            installation_id=self.installation_id, repo=repo_url, user=user.lower()
        )
        cached = None if fresh else self.redis.get(key)
        if cached is not None:
            return cached.decode() if isinstance(cached, bytes) else str(cached)
        data = rest.get(f"{repo_url}/collaborators/{quote(user, safe='')}/permission")
        # ``permission`` folds maintain into write and triage into read; ``role_name`` does not.
        role = str(data.get("role_name") or data.get("permission") or "none")
        self.redis.set(key, role, ex=ROLE_SECONDS)
        return role
