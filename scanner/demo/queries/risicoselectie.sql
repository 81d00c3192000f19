-- The risk model's selection for manual review: applications with a high amount-to-income ratio
-- of applicants whose first nationality is not Dutch.
SELECT r.aanvraag_id,
       r.bedrag_inkomen_ratio,
       r.uren_opvang
FROM risico_kenmerken r
JOIN brp_nationaliteit n ON n.bsn = r.bsn AND n.volgnummer = 1
WHERE n.nationaliteit_code <> '0001'
  AND r.bedrag_inkomen_ratio > 0.25
ORDER BY r.bedrag_inkomen_ratio DESC;
