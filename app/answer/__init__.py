"""Passages -> an answer quoted from the articles: follow-ups, abstention, sentence
choice, metadata answers and the orchestration (``ask``). Knows nothing of the page."""
