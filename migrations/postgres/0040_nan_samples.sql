-- NaN samples: the SQLite twin makes its value columns nullable, because SQLite keeps a NaN as
-- NULL. PostgreSQL's double precision holds NaN as it is, so here the versions only stay in
-- step and the columns say what they hold.
COMMENT ON COLUMN samples.value IS 'the sample; NaN and infinities as sent; rollups leave NaN out';
COMMENT ON COLUMN mv_metrics_5m.avg IS 'of the bucket''s numbers: NaN samples are left out';
COMMENT ON COLUMN mv_metrics_1h.avg IS 'of the hour''s 5-minute rollups';
