-- Parents' country of birth, derived by joining each person to the BRP rows of their parents.
DROP TABLE IF EXISTS stg_ouders_herkomst;

CREATE TABLE stg_ouders_herkomst AS
SELECT k.bsn,
       o1.geboorteland AS geboorteland_ouder1,
       o2.geboorteland AS geboorteland_ouder2
FROM brp_persoon k
LEFT JOIN brp_persoon o1 ON o1.bsn = k.ouder1_bsn
LEFT JOIN brp_persoon o2 ON o2.bsn = k.ouder2_bsn;
