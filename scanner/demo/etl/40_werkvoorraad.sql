-- Deadline work queue: open applications and the days left to decide. No personal data beyond the application.
DROP TABLE IF EXISTS werkvoorraad_termijnen;

CREATE TABLE werkvoorraad_termijnen AS
SELECT aanvraag_id,
       behandelaar,
       termijn_datum,
       CAST(julianday(termijn_datum) - julianday('2024-06-01') AS INTEGER) AS dagen_resterend
FROM toeslag_aanvraag
WHERE status IN ('ingediend', 'in_behandeling');
