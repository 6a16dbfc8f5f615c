-- Forgets the file at $1: it was removed, or failed to render.
DELETE FROM rendered_files WHERE path = $1;
