SELECT count(*) FROM submissions;
