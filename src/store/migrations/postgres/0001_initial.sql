-- Initial schema. Table and column names follow Coder's, so that data can
-- move between the two. Times are timestamptz; the server's structs hold
-- integer microseconds since the Unix epoch, converted by the two
-- functions below. Go's zero time (0001-01-01 00:00:00Z) stands for
-- "never".

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Exact conversions between microseconds and timestamptz. Both multiply an
-- interval only by integers small enough for a double to hold exactly, so
-- no microsecond is lost anywhere in years 1 to 9999. Migration 0002
-- declares them STABLE, which lets the planner inline them.
CREATE FUNCTION micros_to_time(us bigint) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN timestamptz 'epoch' + (us / 1000000) * interval '1 second'
        + (us % 1000000) * interval '1 microsecond';

CREATE FUNCTION time_to_micros(t timestamptz) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (extract(epoch FROM t) * 1000000)::bigint;

CREATE TABLE site_configs (
    key text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE organizations (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    display_name text NOT NULL,
    description text NOT NULL DEFAULT '',
    icon text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    deleted boolean NOT NULL DEFAULT false
);

CREATE UNIQUE INDEX organizations_name_lower_idx
    ON organizations (lower(name)) WHERE NOT deleted;
CREATE UNIQUE INDEX organizations_single_default_idx
    ON organizations (is_default) WHERE is_default;

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    username text NOT NULL,
    name text NOT NULL DEFAULT '',
    avatar_url text NOT NULL DEFAULT '',
    hashed_password text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    status text NOT NULL
        CHECK (status IN ('active', 'dormant', 'suspended')),
    login_type text NOT NULL
        CHECK (login_type IN ('password', 'github', 'oidc', 'token', 'none')),
    -- Stored site role names; the implicit member role is never stored.
    rbac_roles text[] NOT NULL DEFAULT '{}',
    deleted boolean NOT NULL DEFAULT false,
    hashed_one_time_passcode text NOT NULL DEFAULT '',
    -- NULL while no password-reset code is pending.
    one_time_passcode_expires_at timestamptz,
    github_com_user_id bigint,
    is_system boolean NOT NULL DEFAULT false
);

-- Usernames and e-mail addresses are unique, ignoring case, among users
-- that are not deleted. The "C" collation makes the username index also
-- serve the listing, which sorts by the lower-cased name byte by byte.
CREATE UNIQUE INDEX users_username_lower_idx
    ON users ((lower(username) COLLATE "C")) WHERE NOT deleted;
CREATE UNIQUE INDEX users_email_lower_idx
    ON users (lower(email)) WHERE NOT deleted;

-- Free-text user search: trigrams of the lower-cased username and e-mail,
-- so that a LIKE '%term%' of three or more characters is an index lookup.
CREATE INDEX users_search_trgm_idx ON users
    USING gin (lower(username) gin_trgm_ops, lower(email) gin_trgm_ops)
    WHERE NOT deleted;

CREATE TABLE organization_members (
    user_id uuid NOT NULL REFERENCES users (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    -- Organization role names beyond the implicit member.
    roles text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (organization_id, user_id)
);

CREATE INDEX organization_members_user_id_idx
    ON organization_members (user_id);

CREATE TABLE api_keys (
    id text PRIMARY KEY,
    -- SHA-256 of the secret half of the token.
    hashed_secret bytea NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id),
    last_used timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    login_type text NOT NULL
        CHECK (login_type IN ('password', 'github', 'oidc', 'token', 'none')),
    lifetime_seconds bigint NOT NULL,
    ip_address text NOT NULL DEFAULT '',
    scope text NOT NULL DEFAULT 'all'
        CHECK (scope IN ('all', 'application_connect')),
    token_name text NOT NULL DEFAULT ''
);

CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);
CREATE UNIQUE INDEX api_keys_token_name_idx
    ON api_keys (user_id, token_name) WHERE login_type = 'token';

CREATE TABLE gitsshkeys (
    user_id uuid PRIMARY KEY REFERENCES users (id),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    private_key text NOT NULL,
    public_key text NOT NULL
);

CREATE TABLE user_links (
    user_id uuid NOT NULL REFERENCES users (id),
    login_type text NOT NULL,
    linked_id text NOT NULL DEFAULT '',
    oauth_access_token text NOT NULL DEFAULT '',
    oauth_refresh_token text NOT NULL DEFAULT '',
    oauth_expiry timestamptz,
    claims jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (user_id, login_type)
);

CREATE TABLE user_configs (
    user_id uuid NOT NULL REFERENCES users (id),
    key text NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (user_id, key)
);
