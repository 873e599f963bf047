"""Redis state shared by intake and workers: per-PR events and jobs, grants, lifecycle purges."""
