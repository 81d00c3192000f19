"""Name and comment rules of origin detection, including look-alikes that must stay untagged."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scanner.detect import THRESHOLD, classify_column, declares, table_context, tokens
from scanner.detect.words import squash

NAMES = json.loads((Path(__file__).parent / "fixtures" / "detect" / "names.json").read_text())
NAMES.pop("_comment")
COMMENTS = json.loads((Path(__file__).parent / "fixtures" / "detect" / "comments.json").read_text())["cases"]
LANGUAGES = json.loads((Path(__file__).parent / "fixtures" / "detect" / "languages.json").read_text())["cases"]


@pytest.mark.parametrize("name", sorted(NAMES))
def test_name_rules(name: str) -> None:
    assert [t.category for t in classify_column(name)] == NAMES[name]


@pytest.mark.parametrize(("name", "comment", "expected"), COMMENTS, ids=[f"{n}: {c}" for n, c, _ in COMMENTS])
def test_comment_rules(name: str, comment: str | None, expected: list[str]) -> None:
    assert [t.category for t in classify_column(name, comment)] == expected


@pytest.mark.parametrize(("category", "term"), LANGUAGES, ids=[f"{c}: {t}" for c, t in LANGUAGES])
def test_each_category_in_each_language_as_comment_glued_name_and_snake_name(category: str, term: str) -> None:
    persons = table_context("personen", ["persoon_id", "geslacht", "leeftijd"])
    expected = [] if category == "none" else [category]
    for name, comment in [("v17", term), (squash(term), None), (re.sub(r"\W+", "_", term), None)]:
        found = [t.category for t in classify_column(name, comment, context=persons) if t.direct]
        assert found == expected, (name, comment, found)


def test_a_parent_word_in_the_name_or_the_comment_clause_qualifies_a_birth_country() -> None:
    [tag] = classify_column("inp_heeftAlsOuders_1_gerelateerde_inp_geboorteLand")
    assert tag.evidence[0].detail == "geboorteland + ouders"
    # the name says birth country, the comment says whose: one tag, the parent's, with both pieces of evidence
    [tag] = classify_column("cob", "country of birth of the mother")
    assert tag.category == "parents_birth_country"
    assert [e.rule for e in tag.evidence] == ["comment", "name"]


def test_every_category_is_covered_by_the_fixture() -> None:
    from scanner.detect import categories

    covered = {c for cats in NAMES.values() for c in cats}
    assert covered == {c.id for c in categories()}
    assert {c for c in covered if not c.startswith("proxy:")} == {
        "nationality", "dual_nationality", "birth_country", "birthplace", "parents_birth_country",
        "migration_background", "ethnicity"}


def test_comment_tags_a_neutral_name_and_evidence_says_why() -> None:
    tags = classify_column("code_1", "Geboorteland van de aanvrager (Tabel 34)")
    assert [t.category for t in tags] == ["birth_country"]
    assert tags[0].evidence[0].rule == "comment"
    assert tags[0].evidence[0].detail == "geboorteland"
    assert THRESHOLD <= tags[0].confidence < 0.9


def test_name_and_comment_together_raise_confidence() -> None:
    alone = classify_column("nat")[0].confidence
    both = classify_column("nat", "nationaliteit van de persoon")[0]
    assert both.confidence > alone
    assert [e.rule for e in both.evidence] == ["name", "comment"]


def test_tokens_split_every_naming_style() -> None:
    assert tokens("GBA_GeboorteLand2Moeder") == ["gba", "geboorte", "land", "2", "moeder"]
    assert tokens("natCd") == ["nat", "cd"]
    assert tokens("XMLHttpNationality") == ["xml", "http", "nationality"]


def test_register_text_declares_a_category() -> None:
    assert declares("Aanvraaggegevens, inkomen en nationaliteit uit de BRP", "nationality")
    assert not declares("Aanvraaggegevens en inkomen", "nationality")
    assert not declares("", "birth_country")


def test_table_context_raises_lowers_or_drops_a_tag() -> None:
    from scanner.detect import table_context

    drivers = table_context("drivers", ["driverId", "forename", "surname", "dob", "nationality"])
    constructors = table_context("constructors", ["constructorId", "name", "nationality"])
    codes = table_context("lo3_nationaliteit", ["nationaliteit_code", "omschrijving"])
    assert (drivers.kind, constructors.kind, codes.kind) == ("person", "non_person", "code")
    assert table_context("lo3_pl_persoon", ["a_nummer", "geboorte_land_code"]).kind == "person"
    # a code table holds one list: origin columns of two kinds make a message about persons (GBA-V Gv01)
    assert table_context("lo3_gv01_mutatie", ["gebland_010330", "natio_040510"]).kind == "person"
    assert table_context("aanvraag", ["aanvraag_id", "bedrag"]).kind == ""
    plain = classify_column("nationality")[0].confidence
    assert classify_column("nationality", context=drivers)[0].confidence > plain
    assert classify_column("nationality", context=constructors) == []  # a company's nationality is no person's
    # The code list, not a person's data: even name and comment together stay below the threshold.
    assert classify_column("nationaliteit_code", context=codes) == []
    assert classify_column("nationaliteit_code", "Nationaliteit (Tabel 32)", context=codes) == []
    assert classify_column("nationaliteit_code", "Nationaliteit (Tabel 32)")[0].confidence > plain


def test_a_table_named_after_things_outweighs_person_like_sibling_columns() -> None:
    from scanner.detect import table_context

    horses = table_context("kwpn_paard", ["levensnummer", "naam", "geboortedatum", "geboorteland"])
    assert horses.kind == "non_person"
    assert classify_column("geboorteland", context=horses) == []
    assert table_context("inschrijving", ["bsn", "geboorteland"]).kind == "person"  # siblings still count


def test_a_place_of_birth_holding_countries_is_a_country_of_birth() -> None:
    from scanner.detect.values import profile

    countries = profile(["Morocco", "Turkey", "Netherlands", "Suriname", "Poland"] * 10)
    towns = profile(["Casablanca", "Ankara", "Utrecht", "Paramaribo", "Gdansk"] * 10)
    [by_countries] = classify_column("place_of_birth", profile=countries)
    [by_towns] = classify_column("place_of_birth", profile=towns)
    assert by_countries.category == "birth_country" and by_towns.category == "birthplace"
    assert any(e.rule == "values" for e in by_countries.evidence)


def test_values_alone_do_not_make_a_residence_country_origin_data() -> None:
    from scanner.detect.values import profile

    sample = profile(["Nederland", "Duitsland", "België", "Nederland"] * 10)
    assert classify_column("address1_country", profile=sample) == []
    assert classify_column("woonland", profile=sample) == []
    adjectives = profile(["Nederlandse", "Marokkaanse", "Turkse"] * 10)
    assert [t.category for t in classify_column("attr_12", profile=adjectives)] == ["nationality"]


def test_a_look_alike_name_or_a_comment_saying_otherwise_rules_out_what_the_values_suggest() -> None:
    from scanner.detect.values import profile

    adjectives = profile(["Italiaans", "Turks", "Marokkaans", "Chinees"] * 10)
    assert [t.category for t in classify_column("keuze_3", profile=adjectives)] == ["nationality"]
    assert classify_column("restaurant_cuisine", profile=adjectives) == []
    assert classify_column("keuze_3", "keuken van het restaurant", profile=adjectives) == []


def test_a_specific_category_from_the_comment_shadows_the_general_one_from_the_name() -> None:
    # The name says nationality (nat), the comment says second nationality: one tag, the specific one.
    tags = classify_column("VERD_NAT2", "Tweede nationaliteit verdachte")
    assert [t.category for t in tags] == ["dual_nationality"]


def test_a_weak_name_counts_only_in_a_table_about_persons() -> None:
    from scanner.detect import table_context
    from scanner.detect.values import profile

    clients = table_context("klant", ["klantnummer", "geboortedatum", "country_of_origin"])
    # herkomst: of a client, of a species or a geometry
    assert [t.category for t in classify_column("herkomst", context=clients)] == ["migration_background"]
    assert classify_column("herkomst", context=table_context("wnb_ontheffing", ["soort", "herkomst"])) == []
    # a glued table name starts with its noun
    assert table_context("klantbeeld", ["id", "herkomst"]).kind == "person"
    coffee = table_context("coffee_quality", ["species", "owner", "country_of_origin"])
    countries = profile(["Ethiopia", "Colombia", "Brazil", "Kenya"] * 10)
    assert [t.category for t in classify_column("country_of_origin", context=clients)] == ["migration_background"]
    assert classify_column("country_of_origin", context=coffee) == []
    # neither the values nor a comment saying the same make up for the missing person
    assert classify_column("country_of_origin", "country of origin", countries, coffee) == []
    # a flag named after a race (HMIS), a Maori iwi, an origin group, a place of herkomst: the same
    hmis = table_context("hmis_client", ["PersonalID", "FirstName", "DOB", "White", "Asian"])
    paint = table_context("paint_products", ["kleurcode", "White", "Black"])
    assert (hmis.kind, paint.kind) == ("person", "non_person")
    for name, category in [("White", "ethnicity"), ("iwi_1", "ethnicity"), ("origin_grp", "migration_background"),
                           ("plaats_van_herkomst", "birthplace")]:
        assert [t.category for t in classify_column(name, context=hmis)] == [category], name
        assert classify_column(name, context=paint) == [], name
        assert classify_column(name) == [], name
    # the herkomst of a flight or a signal is no one's, in a person table too
    assert classify_column("vlucht_herkomst", context=hmis) == []
    assert classify_column("signaalHerkomst", context=hmis) == []


def test_numeric_codes_make_a_birthplace_a_birth_country_unless_it_is_named_a_province() -> None:
    from scanner.detect.values import profile

    codes = profile(["528", "504", "792", "740", "004"] * 10)  # ISO 3166 numeric
    assert [t.category for t in classify_column("bpl", "birthplace", codes)] == ["birth_country"]
    assert [t.category for t in classify_column("prona1", "Provincia de nacimiento", codes)] == ["birthplace"]


def test_a_column_that_names_a_person_is_about_that_person_in_a_table_about_things() -> None:
    from scanner.detect import table_context

    objects = table_context("rijksmuseum_collection_objects", ["objectNumber", "title", "principalMakers_nationality"])
    assert objects.kind == "non_person"
    assert [t.category for t in classify_column("principalMakers_nationality", context=objects)] == ["nationality"]
    # the table still speaks for columns about the thing itself
    assert classify_column("nationality", context=objects) == []
    # as PostgreSQL folds it
    assert [t.category for t in classify_column("principalmakers_nationality", context=objects)] == ["nationality"]
    # a race result names its runner; a roster's comment names its player first
    results = table_context("itra_race_results", ["race_id", "runner_name", "runner_nationality"])
    assert results.kind == "non_person"
    assert [t.category for t in classify_column("runner_nationality", context=results)] == ["nationality"]
    assert classify_column("nationality", context=results) == []
    roster = table_context("fivb_team_roster", ["team_code", "nationality"])
    assert roster.kind == "non_person"
    assert [t.category for t in classify_column("nationality", "Player nationality", context=roster)] == ["nationality"]
    assert classify_column("nationality", "Nationality of the team", context=roster) == []
    # the citizen in citizenship is no person; an owner may be a company
    countries = table_context("countries", ["iso2", "dual_citizenship_allowed"])
    assert countries.kind == "non_person"
    assert classify_column("dual_citizenship_allowed", context=countries) == []
    products = table_context("products", ["sku", "owner_nationality"])
    assert classify_column("owner_nationality", context=products) == []
    # a table named for the persons it lists is theirs, whoever they belong to
    officers = table_context("ch_company_officers", ["company_number", "officer_role", "nationality"])
    assert officers.kind == "person"
    assert [t.category for t in classify_column("nationality", context=officers)] == ["nationality"]
    assert table_context("company_products", ["sku", "country_of_origin"]).kind == "non_person"
    assert table_context("ref_officers", ["code", "omschrijving"]).kind == "code"
    countries = table_context("countries", ["iso2", "official_ethnic_groups", "directory_ethnic_group"])
    assert classify_column("official_ethnic_groups", context=countries) == []
    assert classify_column("directory_ethnic_group", context=countries) == []
    # a social group is the caste category of a person in an Indian survey
    plfs = table_context("plfs_person", ["person_serial_no", "age", "sex", "social_group"])
    assert [t.category for t in classify_column("BLACK_AFRICAN_AMERICAN_CODE", context=plfs)] == ["ethnicity"]
    assert [t.category for t in classify_column("SOCIAL_CATEGORY", context=plfs)] == ["ethnicity"]
    assert [t.category for t in classify_column("racer5", context=plfs)] == ["ethnicity"]
    assert [t.category for t in classify_column("social_group", context=plfs)] == ["ethnicity"]
    assert classify_column("social_group") == []
    # the reason, ground, request or decision of a person's nationality record or naturalisation is part of it
    dossier = table_context("nat_optie_dossier", ["bsn", "soort_verzoek", "beslissing_ind", "gemeente_code"])
    assert (dossier.kind, dossier.about) == ("person", "nationality")
    [tag] = classify_column("soort_verzoek", context=dossier)
    assert (tag.category, [e.rule for e in tag.evidence]) == ("nationality", ["context", "context"])
    assert classify_column("gemeente_code", context=dossier) == []
    nationalities = table_context("brp_nationaliteiten", ["bsn", "VerkrijgingCode", "VerliesOms"])
    assert [t.category for t in classify_column("VerliesOms", context=nationalities)] == ["nationality"]
    assert [t.category for t in classify_column("reden_opname", context=table_context(
        "persoon_nationaliteit", ["bsn", "nationaliteit_code", "reden_opname"]))] == ["nationality"]
    # not in a code table of those reasons, nor in an alien's file, whose decision is a residence decision
    assert classify_column("reden_code", context=table_context("lt37_reden_nationaliteit", ["reden_code"])) == []
    assert classify_column("beslissing", context=table_context("vreemdeling", ["v_nummer", "beslissing"])) == []
    # nor other reasons in such a table, nor share options, nor the Naturalis museum's staff
    nationalities = table_context("persoon_nationaliteit", ["bsn", "reden_vertrek"])
    assert classify_column("reden_vertrek", context=nationalities) == []
    assert classify_column("reden", context=table_context("personeel_optie_dossier", ["bsn", "reden"])) == []
    assert classify_column("reden_opname", context=table_context("naturalis_medewerker", ["bsn", "reden_opname"])) == []
    # a population group is race in a census of persons, and a target group of a policy elsewhere
    census = table_context("statssa_census_person", ["person_id", "age", "pop_group"])
    assert [t.category for t in classify_column("pop_group", context=census)] == ["ethnicity"]
    targets = table_context("policy_targets", ["budget", "population_group"])
    assert classify_column("population_group", context=targets) == []
    # a generation status is a migrant's in a person table only
    assert [t.category for t in classify_column("gen_status", context=census)] == ["migration_background"]
    assert classify_column("gen_status") == []
    # a terminology table (OMOP concept) lists race concepts among diagnoses; it holds no person
    concepts = table_context("omop_concept", ["concept_id", "concept_name", "domain_id", "vocabulary_id"])
    assert concepts.kind == "non_person"
    assert classify_column("race", context=concepts) == []
