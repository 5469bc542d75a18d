"""What newsdesk knows of an article as news: its quotes and speakers, and the other
outlets that carried the same story. Worked out once at build time (``enrich``); knows
nothing of vectors or answers."""
