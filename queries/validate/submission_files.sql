SELECT id, file_name FROM submissions;
