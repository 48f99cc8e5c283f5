-- Uploaded images. Each upload is re-encoded (which drops EXIF and anything
-- hidden in the file) into a full size and fixed smaller widths beside it.
CREATE TABLE media (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    original_name TEXT NOT NULL,
    alt TEXT NOT NULL DEFAULT '',
    credit TEXT NOT NULL DEFAULT '',
    uploaded_by BIGINT REFERENCES staff (id),
    created_at BIGINT NOT NULL
);
