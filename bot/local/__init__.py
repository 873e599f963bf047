"""`review-tiers evaluate` on a local checkout: git plumbing and the offline evaluation."""
