-- Enrolments an agent may repeat: the SHA-256 of the random enrollment_id the agent sent, and the
-- agent the gateway created for it. An agent whose answer was lost (a timeout, a crash before it
-- saved its identity) retries with the same id and gets the same agent and key, while the
-- single-use token it presented is spent (docs/protocol.md). Kept for a day, or until the agent
-- is deleted.
CREATE TABLE enrollments (
    id_hash    text COLLATE "C" PRIMARY KEY,
    agent_id   text COLLATE "C" NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    expires_at bigint NOT NULL
);
CREATE INDEX enrollments_expiry ON enrollments (expires_at);
