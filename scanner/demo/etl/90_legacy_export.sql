-- originscan-demo: not executed
-- Legacy export for the 2019 "signaleringslijst". No longer scheduled, but still in the repository;
-- its INSERT has a syntax error nobody noticed because the script stopped running.
CREATE TABLE IF NOT EXISTS export_signalering AS
SELECT bsn, nationaliteit_code FROM stg_aanvrager WHERE 1 = 0;

INSERT INTO export_signalering (bsn, nationaliteit_code
SELECT bsn, nationaliteit_code FROM stg_aanvrager WHERE nationaliteit_code IN ('0131', '0339');

SELECT COUNT(*) AS aantal FROM export_signalering;
