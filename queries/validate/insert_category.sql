INSERT INTO cfg_categories (year, code, name_de, name_en, ord, staff) VALUES ($1, $2, $3, $4, $5, $6);
