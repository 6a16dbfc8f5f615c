SELECT ags, CAST(payout_date AS VARCHAR), CAST(amount AS VARCHAR) FROM imported_payouts WHERE reference = $1;
