"""The worker side: rq jobs, leases, the due-set scheduler, supervision and recovery from GitHub."""
