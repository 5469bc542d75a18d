"""Question -> ranked passages with citations: quiz-phrasing clean-up, filters, score
fusion and the retriever. Reads the index; never writes it."""
