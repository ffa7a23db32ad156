-- Issue 16: a domain may publish its people (display names and addresses, never auth IDs) to one another, as a
-- directory-wide address list in webmail; off unless a domain administrator switches it on.
ALTER TABLE domain ADD COLUMN address_list boolean NOT NULL DEFAULT false;
