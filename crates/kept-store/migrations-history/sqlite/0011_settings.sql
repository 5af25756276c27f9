-- The business's own settings (opening hours, callback windows, targets …) as one JSON
-- document the owner edits; kept.toml gives them until the first save.
CREATE TABLE business_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    document TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    updated_by TEXT REFERENCES staff(id)
);

-- Every change to them: who, when, which key, from what to what.
CREATE TABLE settings_changes (
    id TEXT PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    staff_id TEXT REFERENCES staff(id),
    setting TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX settings_changes_at ON settings_changes (at_ms);
