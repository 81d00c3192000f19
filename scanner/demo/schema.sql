-- Uitvoeringsdienst Voorbeeld: a fictional benefits agency. Every row in this database is generated.

-- A local copy of the Basisregistratie Personen (BRP): one row per registered person.
CREATE TABLE brp_persoon (
    bsn                   TEXT PRIMARY KEY,   -- fictional: 9999xxxxx
    a_nummer              TEXT,
    geslachtsnaam         TEXT,
    voornamen             TEXT,
    geboortedatum         TEXT,
    geslacht              TEXT,
    geboorteplaats        TEXT,               -- Tabel 33 gemeentecode, or a place abroad
    geboorteland          TEXT,               -- Tabel 34 landcode (6030 = Nederland)
    ouder1_bsn            TEXT,
    ouder2_bsn            TEXT,
    gemeente_inschrijving TEXT,
    postcode              TEXT
);

-- Nationalities per person (BRP category 04): dual nationals have more than one row.
CREATE TABLE brp_nationaliteit (
    bsn                TEXT,
    volgnummer         INTEGER,
    nationaliteit_code TEXT,                  -- Tabel 32 (0001 = Nederlandse)
    reden_opname       TEXT,
    datum_ingang       TEXT
);

-- Public reference tables (excerpts of the RvIG Landelijke tabellen 34 and 32).
CREATE TABLE lo3_land (land_code TEXT PRIMARY KEY, land_naam TEXT);
CREATE TABLE lo3_nationaliteit (nationaliteit_code TEXT PRIMARY KEY, omschrijving TEXT);

-- Applications for childcare benefit (kinderopvangtoeslag).
CREATE TABLE toeslag_aanvraag (
    aanvraag_id        INTEGER PRIMARY KEY,
    bsn                TEXT,
    soort_toeslag      TEXT,
    aanvraagdatum      TEXT,
    bedrag_aangevraagd REAL,
    status             TEXT,
    behandelaar        TEXT,
    termijn_datum      TEXT
);

-- Assessed income per person per year.
CREATE TABLE inkomen (bsn TEXT, jaar INTEGER, toetsingsinkomen REAL);

-- Childcare per application: which child, how many hours, at which registered provider (LRK).
CREATE TABLE kinderopvang (aanvraag_id INTEGER, kind_bsn TEXT, uren_per_maand INTEGER, uurprijs REAL, lrk_nummer TEXT);
