"""Use cases over the journal: each call is one transaction and returns what changed."""
