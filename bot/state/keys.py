"""Redis key names that both a writer and a purger must agree on."""

from __future__ import annotations

# An installation token shared by every worker; purged when the installation is removed.
TOKEN_KEY = "rt:token:{installation_id}"
