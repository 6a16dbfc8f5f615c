SELECT district, year, quarter FROM submissions WHERE id = $1;
