-- The SQLite twin drops the index of its samples_recent table (see 0050_recent_samples.sql);
-- PostgreSQL has no such table, so here the versions only stay in step.
COMMENT ON TABLE samples IS 'one row per sample, range-partitioned by day (see docs/storage.md)';
