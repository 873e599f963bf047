"""The rq worker class: jobs in the worker's process, each inside its pull request's log context."""

from __future__ import annotations

from typing import Any

from rq import Queue, SimpleWorker
from rq.job import Job

from bot.logs import log_context


def job_fields(job: Job) -> dict[str, Any]:
    """The ids a job carries, as log fields, so rq's own lines about it carry them too."""
    args = list(job.args or ())
    if job.func_name.endswith("run_pull_job") and len(args) >= 5:
        return {
            "installation_id": args[0],
            "repository": f"{args[1]}/{args[2]}",
            "pull_number": args[3],
            "delivery_id": args[4],
        }
    if job.func_name.endswith("run_commit_job") and len(args) >= 5:
        return {
            "installation_id": args[0],
            "repository": f"{args[1]}/{args[2]}",
            "delivery_id": args[4],
        }
    return {}


class ContextWorker(SimpleWorker):
    """A SimpleWorker whose job execution runs inside a log context of the job's ids."""

    def execute_job(self, job: Job, queue: Queue) -> Any:
        with log_context(job_id=job.id, **job_fields(job)):
            return super().execute_job(job, queue)
