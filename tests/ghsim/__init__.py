"""A GitHub REST API simulator for end-to-end tests, checked against GitHub's REST description."""

from tests.ghsim.simulator import GitHubSimulator
from tests.ghsim.state import App, CheckRun, Comment, CommitInfo, FileChange, Pull, Repo, Review
from tests.ghsim.traffic import Fault, RequestRecord

__all__ = [
    "App",
    "CheckRun",
    "Comment",
    "CommitInfo",
    "Fault",
    "FileChange",
    "GitHubSimulator",
    "Pull",
    "Repo",
    "RequestRecord",
    "Review",
]
