-- An image for social cards that differs from the cover (text on it, another crop).
ALTER TABLE articles ADD COLUMN social_image_url TEXT;
