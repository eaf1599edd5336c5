-- The rollup refresh materialises a 5-minute bucket once it has closed, and the reads aggregate
-- the buckets still queued from the samples (src/store/postgres/samples.cpp): this index is how
-- a read finds an agent's queued buckets. Entries stay one per ingest transaction and bucket:
-- with concurrent workers, an ingest that skipped an entry already queued could see it taken by
-- a refresh whose snapshot missed the ingest's samples.
CREATE INDEX rollup_queue_agent_bucket ON rollup_queue (agent_id, bucket);
