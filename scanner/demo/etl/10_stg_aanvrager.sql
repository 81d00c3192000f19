-- Nightly staging: every application with its applicant's first nationality and country of birth.
DROP TABLE IF EXISTS stg_aanvrager;

CREATE TABLE stg_aanvrager AS
SELECT a.aanvraag_id,
       a.bsn,
       a.aanvraagdatum,
       a.bedrag_aangevraagd,
       n.nationaliteit_code,
       p.geboorteland,
       p.postcode,
       (SELECT COUNT(*) FROM brp_nationaliteit n2 WHERE n2.bsn = a.bsn) AS aantal_nationaliteiten
FROM toeslag_aanvraag a
JOIN brp_persoon p ON p.bsn = a.bsn
LEFT JOIN brp_nationaliteit n ON n.bsn = a.bsn AND n.volgnummer = 1;
