-- The faces found in each media item by the faces task: a JSON list of
-- boxes in the item's display pixels with the detector's score, largest
-- first. Where faces are, never whose: no descriptor is kept here.

ALTER TABLE media ADD COLUMN faces TEXT NOT NULL DEFAULT '[]';
