-- What the catalog document gives websites besides ids and times: the
-- conference's URL, each talk's abstract and language, and each speaker's
-- avatar as the schedule links it (shown until a headshot is published).

ALTER TABLE conference ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE talks ADD COLUMN abstract TEXT NOT NULL DEFAULT '';
ALTER TABLE talks ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE speakers ADD COLUMN avatar_url TEXT NOT NULL DEFAULT '';
