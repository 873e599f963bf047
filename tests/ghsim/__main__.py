"""Serve a simulator with one empty repository from the command line, for manual trials."""

from __future__ import annotations

import argparse
import threading

from tests.ghsim.simulator import GitHubSimulator


def main(argv: list[str] | None = None) -> None:
    """Print the base URL and an installation token, then serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--owner", default="acme")
    parser.add_argument("--repo", default="widgets")
    args = parser.parse_args(argv)
    sim = GitHubSimulator().start()
    sim.add_repo(args.owner, args.repo)
    print(f"GITHUB_API_URL={sim.url}")
    print(f"installation token: {sim.issue_token()}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
