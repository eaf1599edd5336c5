-- samples_recent without an index. Its (series_id, ts, value) index was where a push's samples
-- went to a hundred places at once: every insert a B-tree seek, a page split now and then, and
-- each changed index page written whole to the write-ahead log at the commit. Without it a push
-- appends its samples to the table's last pages. A read of recent samples now scans the table,
-- which stays small: the writer settles it at 131,072 rows, and the leader's rollup refresh
-- settles it whenever a bucket has closed (every five minutes under a light load), so the
-- closed buckets are read from samples_settled through its index (SqliteSamples in
-- src/store/sqlite/samples.cpp; measured in docs/BENCHMARKS.md).
DROP INDEX samples_recent_series_ts;
