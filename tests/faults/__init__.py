"""Fault injection: a faulty network, killed processes and lost Redis data, against the App."""
