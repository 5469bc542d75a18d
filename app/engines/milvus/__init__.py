"""newsdesk's index in Milvus: the collections (``schema``), connecting with clear errors
(``client``), reading and writing rows (``store``), the fusion statistics kept beside
them (``stats``) and the incremental ingest (``ingest``)."""
