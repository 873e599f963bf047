"""The web side: verify a delivery, read what it asks, record it in Redis; never calls GitHub."""
