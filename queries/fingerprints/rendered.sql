-- What the files under a folder ($1, ending in a separator) were rendered
-- from.
SELECT path, fingerprint, size_bytes, mod_time_ns, coalesce(note, '')
FROM rendered_files
WHERE starts_with(path, $1);
