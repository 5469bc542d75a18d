"""The text toolkit: sentences, words, dates and the times questions name.

Every other layer splits sentences, tokenises words and reads dates through these
modules, so each rule has one home. Knows nothing of articles, indexes or answers.
"""
