-- Which cost category holds the staff costs comes from the configuration
-- (staff = true on the category), no longer from a code written into the
-- rules. cfg_categories is rewritten at the start of every run; rows from
-- before this migration read false until then.
ALTER TABLE cfg_categories ADD COLUMN staff BOOLEAN DEFAULT false;
