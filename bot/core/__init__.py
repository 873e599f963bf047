"""Pure policy core: text and data in, decisions with reasons out (no I/O, no GitHub)."""
