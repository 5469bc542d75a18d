"""Articles -> a searchable index folder: passages, embedders, the keyword index, the
vector files, the manifest, loading and the (incremental, atomic) build. Knows nothing
of how questions are answered."""
