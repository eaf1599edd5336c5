-- The replay ledger's key in the order (nonce, agent_id): agents put the time first in their
-- nonces (docs/protocol.md), so the nonces of concurrent pushes land side by side at the end of
-- the index instead of on a random page each of an (agent_id, nonce) index. The same pairs stay
-- unique; nonces of older agents (all random) still work, without the locality.
ALTER TABLE seen_nonces DROP CONSTRAINT seen_nonces_pkey;
ALTER TABLE seen_nonces ADD PRIMARY KEY (nonce, agent_id);
