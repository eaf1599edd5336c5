-- The rollup refresh materialises a 5-minute bucket once it has closed, and the reads aggregate
-- the buckets still queued from the samples (src/store/sqlite/samples.cpp). The queue therefore
-- holds each open bucket for its five minutes: one entry per (agent, bucket) is enough, as
-- ingest and the refresh are serial on SQLite's one writer (ingest adds the entry if missing;
-- the refresh reads the samples and deletes the entry in one transaction). The index is also
-- how a read finds an agent's queued buckets.
DELETE FROM rollup_queue
WHERE id NOT IN (SELECT min(id) FROM rollup_queue GROUP BY agent_id, bucket);
CREATE UNIQUE INDEX rollup_queue_agent_bucket ON rollup_queue (agent_id, bucket);
