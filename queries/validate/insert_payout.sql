INSERT INTO cfg_payouts (year, ags, payout_date, amount, reference) VALUES ($1, $2, CAST($3 AS DATE), CAST($4 AS DECIMAL(18,2)), $5);
