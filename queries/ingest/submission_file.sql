SELECT file_name, received_at FROM submissions WHERE id = $1;
