"""Redis key names that both a writer and a purger must agree on."""

from __future__ import annotations

import json
from dataclasses import dataclass

# An installation token shared by every worker; purged when the installation is removed.
TOKEN_KEY = "rt:token:{installation_id}"
# Set while the installation's token is in use, so that the workers mint it ahead of expiry.
TOKEN_USED_KEY = "rt:token-used:{installation_id}"


@dataclass(frozen=True)
class PullKey:
    installation_id: int
    owner: str
    repo: str
    number: int

    def key(self, suffix: str) -> str:
        return f"rt:pr:{self.installation_id}:{self.owner}/{self.repo}#{self.number}:{suffix}"

    def args(self) -> tuple[int, str, str, int]:
        return (self.installation_id, self.owner, self.repo, self.number)

    def member(self) -> str:
        """The PR as a member of the pending set."""
        return json.dumps(list(self.args()))

    @classmethod
    def from_member(cls, raw: bytes | str) -> PullKey:
        installation_id, owner, repo, number = json.loads(raw)
        return cls(int(installation_id), str(owner), str(repo), int(number))
