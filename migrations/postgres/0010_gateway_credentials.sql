-- What the gateway authenticates with. Times are Unix milliseconds (bigint) so that both
-- backends share the gateway's queries' shape; secrets and token hashes are text (base64url,
-- hex), never plaintext.

-- Each agent's signing keys: the current one (retires_at NULL) and retired ones that stay valid
-- until retires_at (the rotation grace period). The secret is sealed with AES-256-GCM under a
-- key derived from SENTINEL_MASTER_KEY, bound to (agent_id, key_id).
CREATE TABLE agent_keys (
    agent_id      text COLLATE "C" NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    key_id        text COLLATE "C" NOT NULL,
    sealed_secret text NOT NULL,
    created_at    bigint NOT NULL,
    retires_at    bigint,
    PRIMARY KEY (agent_id, key_id)
);

-- Minted by an admin, presented once (or `uses` times) by `sentineld --role=agent` to enrol.
CREATE TABLE bootstrap_tokens (
    id         text COLLATE "C" PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    name       text NOT NULL,
    uses_left  integer NOT NULL CHECK (uses_left >= 0),
    expires_at bigint NOT NULL,
    created_at bigint NOT NULL,
    revoked_at bigint
);

-- Bearer tokens of the admin API.
CREATE TABLE api_tokens (
    id           text COLLATE "C" PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE,
    name         text NOT NULL,
    role         text NOT NULL CHECK (role IN ('admin', 'viewer', 'agent-enroller')),
    expires_at   bigint,
    created_at   bigint NOT NULL,
    revoked_at   bigint,
    last_used_at bigint
);

-- Nonces seen within the replay window, shared by every gateway replica.
CREATE TABLE seen_nonces (
    agent_id   text COLLATE "C" NOT NULL,
    nonce      text COLLATE "C" NOT NULL,
    expires_at bigint NOT NULL,
    PRIMARY KEY (agent_id, nonce)
);
CREATE INDEX seen_nonces_expiry ON seen_nonces (expires_at);
