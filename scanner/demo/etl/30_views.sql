-- Work queue for home visits: applications from applicants born outside the Netherlands (6030).
DROP VIEW IF EXISTS v_aanvragen_buitenland_geboren;

CREATE VIEW v_aanvragen_buitenland_geboren AS
SELECT a.aanvraag_id, a.aanvraagdatum, a.bedrag_aangevraagd, a.behandelaar
FROM toeslag_aanvraag a
JOIN brp_persoon p ON p.bsn = a.bsn
WHERE p.geboorteland <> '6030';

-- Management dashboard: applications and average amount per country of birth.
DROP VIEW IF EXISTS stat_aanvragen_per_herkomst;

CREATE VIEW stat_aanvragen_per_herkomst AS
SELECT p.geboorteland,
       COUNT(*) AS aantal_aanvragen,
       ROUND(AVG(a.bedrag_aangevraagd), 2) AS gemiddeld_bedrag
FROM toeslag_aanvraag a
JOIN brp_persoon p ON p.bsn = a.bsn
GROUP BY p.geboorteland;
