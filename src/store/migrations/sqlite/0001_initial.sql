-- Initial schema. Table and column names follow Coder's, so that data can
-- move between the two. Times are integer microseconds since the Unix
-- epoch; Go's zero time (-62135596800000000) stands for "never".

CREATE TABLE site_configs (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    icon TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX organizations_name_lower_idx
    ON organizations (lower(name)) WHERE deleted = 0;
CREATE UNIQUE INDEX organizations_single_default_idx
    ON organizations (is_default) WHERE is_default = 1;

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    username TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    avatar_url TEXT NOT NULL DEFAULT '',
    hashed_password TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('active', 'dormant', 'suspended')),
    login_type TEXT NOT NULL
        CHECK (login_type IN ('password', 'github', 'oidc', 'token', 'none')),
    -- JSON array of stored site role names.
    rbac_roles TEXT NOT NULL DEFAULT '[]',
    deleted INTEGER NOT NULL DEFAULT 0,
    hashed_one_time_passcode TEXT NOT NULL DEFAULT '',
    one_time_passcode_expires_at INTEGER NOT NULL DEFAULT 0,
    github_com_user_id INTEGER,
    is_system INTEGER NOT NULL DEFAULT 0
);

-- Usernames and e-mail addresses are unique, ignoring case, among users
-- that are not deleted.
CREATE UNIQUE INDEX users_username_lower_idx
    ON users (lower(username)) WHERE deleted = 0;
CREATE UNIQUE INDEX users_email_lower_idx
    ON users (lower(email)) WHERE deleted = 0;

CREATE TABLE organization_members (
    user_id TEXT NOT NULL REFERENCES users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- JSON array of organization role names beyond the implicit member.
    roles TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (organization_id, user_id)
);

CREATE INDEX organization_members_user_id_idx
    ON organization_members (user_id);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    -- SHA-256 of the secret half of the token.
    hashed_secret BLOB NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    last_used INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    login_type TEXT NOT NULL
        CHECK (login_type IN ('password', 'github', 'oidc', 'token', 'none')),
    lifetime_seconds INTEGER NOT NULL,
    ip_address TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT 'all'
        CHECK (scope IN ('all', 'application_connect')),
    token_name TEXT NOT NULL DEFAULT ''
);

CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);
CREATE UNIQUE INDEX api_keys_token_name_idx
    ON api_keys (user_id, token_name) WHERE login_type = 'token';

CREATE TABLE gitsshkeys (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    private_key TEXT NOT NULL,
    public_key TEXT NOT NULL
);

CREATE TABLE user_links (
    user_id TEXT NOT NULL REFERENCES users (id),
    login_type TEXT NOT NULL,
    linked_id TEXT NOT NULL DEFAULT '',
    oauth_access_token TEXT NOT NULL DEFAULT '',
    oauth_refresh_token TEXT NOT NULL DEFAULT '',
    oauth_expiry INTEGER NOT NULL DEFAULT 0,
    claims TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (user_id, login_type)
);

CREATE TABLE user_configs (
    user_id TEXT NOT NULL REFERENCES users (id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Free-text user search: a trigram index over username and e-mail, kept in
-- step with the users table by the triggers below. The trigram tokenizer
-- folds ASCII case, and a MATCH of three or more characters finds any
-- substring.
CREATE VIRTUAL TABLE users_search USING fts5 (
    username, email,
    content = 'users', content_rowid = 'rowid', tokenize = 'trigram'
);

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, username, email)
        VALUES (new.rowid, new.username, new.email);
END;

CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, username, email)
        VALUES ('delete', old.rowid, old.username, old.email);
END;

CREATE TRIGGER users_search_update AFTER UPDATE OF username, email ON users
BEGIN
    INSERT INTO users_search (users_search, rowid, username, email)
        VALUES ('delete', old.rowid, old.username, old.email);
    INSERT INTO users_search (rowid, username, email)
        VALUES (new.rowid, new.username, new.email);
END;
