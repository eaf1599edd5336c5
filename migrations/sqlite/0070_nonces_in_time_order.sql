-- The replay ledger keyed by (nonce, agent_id), without a rowid: agents put the time first in
-- their nonces (docs/protocol.md), so the nonces of concurrent pushes land side by side at the
-- end of one B-tree instead of on a random page each of an (agent_id, nonce) index. The same
-- pairs stay unique; nonces of older agents (all random) still work, without the locality.
CREATE TABLE seen_nonces_by_time (
    nonce      TEXT NOT NULL,
    agent_id   TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (nonce, agent_id)
) STRICT, WITHOUT ROWID;
INSERT INTO seen_nonces_by_time (nonce, agent_id, expires_at)
    SELECT nonce, agent_id, expires_at FROM seen_nonces;
DROP TABLE seen_nonces;
ALTER TABLE seen_nonces_by_time RENAME TO seen_nonces;
CREATE INDEX seen_nonces_expiry ON seen_nonces (expires_at);
