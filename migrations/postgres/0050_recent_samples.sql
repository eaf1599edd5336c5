-- Recent and settled samples: the SQLite twin splits its samples table in two, behind a view of
-- the same name, because SQLite's write-ahead log writes every changed page whole at each commit.
-- PostgreSQL logs the changed tuples, and its day partitions already keep recent samples
-- together, so here the versions only stay in step.
COMMENT ON TABLE samples IS 'one row per sample, range-partitioned by day (see docs/storage.md)';
