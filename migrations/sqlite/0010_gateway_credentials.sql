-- What the gateway authenticates with. Times are Unix milliseconds (INTEGER) so that both
-- backends share the gateway's queries' shape; secrets and token hashes are TEXT (base64url,
-- hex), never plaintext.

-- Each agent's signing keys: the current one (retires_at NULL) and retired ones that stay valid
-- until retires_at (the rotation grace period). The secret is sealed with AES-256-GCM under a
-- key derived from SENTINEL_MASTER_KEY, bound to (agent_id, key_id).
CREATE TABLE agent_keys (
    agent_id      TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    key_id        TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    retires_at    INTEGER,
    PRIMARY KEY (agent_id, key_id)
) STRICT;

-- Minted by an admin, presented once (or `uses` times) by `sentineld --role=agent` to enrol.
CREATE TABLE bootstrap_tokens (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    uses_left  INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

-- Bearer tokens of the admin API.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'viewer', 'agent-enroller')),
    expires_at   INTEGER,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
) STRICT;

-- Nonces seen within the replay window, shared by every gateway replica.
CREATE TABLE seen_nonces (
    agent_id   TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, nonce)
) STRICT;
CREATE INDEX seen_nonces_expiry ON seen_nonces (expires_at);
