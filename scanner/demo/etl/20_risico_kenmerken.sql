-- Features for the risk model, one row per application.
-- niet_nederlander is the indicator the childcare-benefits risk model used: a flag derived from nationality.
DROP TABLE IF EXISTS risico_kenmerken;

CREATE TABLE risico_kenmerken AS
WITH laatste_inkomen AS (
    SELECT bsn, MAX(jaar) AS jaar
    FROM inkomen
    GROUP BY bsn
),
opvang AS (
    SELECT aanvraag_id, SUM(uren_per_maand) AS uren
    FROM kinderopvang
    GROUP BY aanvraag_id
)
SELECT s.aanvraag_id,
       s.bsn,
       CASE WHEN s.nationaliteit_code <> '0001' THEN 1 ELSE 0 END AS niet_nederlander,
       ROUND(s.bedrag_aangevraagd / NULLIF(i.toetsingsinkomen, 0), 4) AS bedrag_inkomen_ratio,
       COALESCE(o.uren, 0) AS uren_opvang,
       s.bedrag_aangevraagd
FROM stg_aanvrager s
LEFT JOIN laatste_inkomen li ON li.bsn = s.bsn
LEFT JOIN inkomen i ON i.bsn = li.bsn AND i.jaar = li.jaar
LEFT JOIN opvang o ON o.aanvraag_id = s.aanvraag_id;
