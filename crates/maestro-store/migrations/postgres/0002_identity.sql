-- Identity and sharing: password reset tokens and login throttling.

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX ix_password_resets_user ON password_resets (user_id);

CREATE TABLE login_attempts (
    key          TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    first_at     BIGINT NOT NULL,
    locked_until BIGINT
);

CREATE INDEX ix_teams_name ON teams (name);
CREATE INDEX ix_users_name ON users (name);
