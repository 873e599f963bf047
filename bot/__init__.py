"""review-tiers: match review depth to blast radius."""

__version__ = "0.1.0"
