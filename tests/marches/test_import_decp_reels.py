"""The DECP import on excerpts of real published files (tests/fixtures/decp, see its
README): DECP v1 from four platforms, the PES flux shape, the official v1 and v2
examples."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from marches.decp import decp_importer
from marches.enums import Nature, Procedure, TypeIdentifiant
from marches.models import Marche
from tests.commune.factories import CommuneFactory, EPCIFactory
from tests.marches.conftest import SIRET_MAIRIE_RENNES, etat_des_marches

pytestmark = pytest.mark.django_db

REELS = Path(__file__).resolve().parent.parent / "fixtures" / "decp"


def importer(nom, **options):
    options.setdefault("ecrire", True)
    with (REELS / nom).open("rb") as fichier:
        return decp_importer(fichier=fichier, **options)


def communes(*sirens):
    return [CommuneFactory(siren=siren, siret_mairie="") for siren in sirens]


def test_v1_lots_sharing_an_id_stay_two_contracts_and_a_reimport_changes_nothing():
    communes("217804558", "214401325")  # Noisy-le-Roi, Pornichet
    rapport = importer("v1_e-marchespublics_2019-04-03.json")
    assert (rapport.lus, rapport.crees, rapport.invalides, rapport.ignores) == (8, 3, 0, 5)
    lots = Marche.objects.filter(id_decp="201801100").order_by("-montant")
    assert [lot.montant for lot in lots] == [Decimal("1935141.00"), Decimal("206184.00")]
    assert [lot.titulaires.get().identifiant for lot in lots] == [
        "42287321600010",
        "34278365100140",
    ]
    assert lots[0].nature == Nature.MARCHE and lots[0].forme_prix == ""
    assert not lots[0].sociales_connues and not lots[0].environnementales_connues
    etrangere = Marche.objects.get(id_decp="201960492500").titulaires.get()
    assert (etrangere.type_identifiant, etrangere.identifiant) == ("TVA", "ES B66484189")

    avant = etat_des_marches()
    encore = importer("v1_e-marchespublics_2019-04-03.json")
    assert (encore.crees, encore.mis_a_jour, encore.inchanges) == (0, 0, 3)
    assert etat_des_marches() == avant


def test_v1_vocabulary_amounts_cpv_and_holders_of_marches_publics_info():
    lambersart, saint_raphael, villeurbanne = communes("215903287", "218301182", "216902668")
    ajaccien = EPCIFactory(siren="242010056")
    rapport = importer("v1_marches-publics-info_2019-03-07.json")
    assert rapport.invalides == 0

    # montant: 0 is unknown, not zero; the contract is kept, flagged.
    (lixiviats,) = Marche.objects.filter(epci=ajaccien)
    assert lixiviats.montant is None and lixiviats.incomplet
    assert "montant à 0 (inconnu)" in lixiviats.manques

    # A CPV that lost its leading zero is padded; one of 9 digits is left out.
    assert Marche.objects.get(id_decp="201818AC0010100").code_cpv == "03111000"
    neuf_chiffres = Marche.objects.get(id_decp="201918MSG060500")
    assert neuf_chiffres.code_cpv == "" and "codeCPV « 031210005 » invalide" in (
        neuf_chiffres.manques
    )
    assert lambersart.marches.count() == 2

    # A 15-digit « SIRET » is left out, the other holder kept.
    travaux = saint_raphael.marches.get()
    assert [t.identifiant for t in travaux.titulaires.all()] == ["30653556800027"]
    assert "titulaires[1].id « 301984563000678 » n'est pas un SIRET" in travaux.manques

    negociee = Marche.objects.get(id_decp="2018622200")
    assert negociee.procedure == Procedure.NEGOCIATION and negociee.commune == villeurbanne


def test_v1_concessions_mixed_in_the_list_are_contracts_of_concession():
    EPCIFactory(siren="246900724")  # CC des Vallons du Lyonnais
    rapport = importer("v1_marches-publics-info_2019-03-07.json")
    assert rapport.concessions == 1
    dsp = Marche.objects.get(id_decp="2018DSP100")
    assert dsp.nature == Nature.CONCESSION and dsp.procedure == ""
    assert dsp.montant == Decimal("2413464.00")
    assert dsp.titulaires.get().identifiant == "34176034600021"


def test_v1_aife_without_any_date_is_kept_undated_and_odd_holder_types_are_kept():
    saint_pierre, *_ = communes("219740040", "069333357", "725058438")
    rapport = importer("v1_aife_2019-04-04.json")
    assert (rapport.invalides, rapport.incomplets) == (0, 2)
    sans_date = saint_pierre.marches.get(id_decp="2018_TPLyTsQ2000")
    assert sans_date.date_notification is None and sans_date.incomplet
    assert "dateNotification absente, et datePublicationDonnees absente : date inconnue" in (
        sans_date.manques
    )
    sans_nature = Marche.objects.get(id_decp="2000026322825607")
    assert sans_nature.nature == Nature.MARCHE and "nature absent" in sans_nature.manques
    # Holders RIDET and TVA_INTRACOMMUNAUTAIRE as notified; two modifications, listed
    # latest first: the one of 2018-07-15 wins, amount and holders.
    assert sans_nature.montant_initial == Decimal("222222.00")
    assert sans_nature.montant == Decimal("987654.32")
    assert {(t.type_identifiant, t.identifiant) for t in sans_nature.titulaires.all()} == {
        (TypeIdentifiant.SIRET, "12345678901234"),
        (TypeIdentifiant.TVA, "FR21483209383"),
    }
    # HORS_UE and FRW are the schema's HORS-UE and FRWF: read, not refused (a modification
    # then replaces them with a TVA holder).
    hors_ue = Marche.objects.get(id_decp="2010039988110804")
    assert "typeIdentifiant" not in hors_ue.manques
    assert hors_ue.titulaires.get().type_identifiant == TypeIdentifiant.TVA


def test_pes_dates_with_a_time_zone_and_a_record_published_twice():
    strasbourg_eurometropole, lyon = communes("216702183", "216901231")
    rapport = importer("v1_pes_2019-04-05.json")
    assert (rapport.crees, rapport.doublons, rapport.invalides) == (2, 1, 0)
    decompacteur = strasbourg_eurometropole.marches.get()
    assert decompacteur.date_notification == date(2018, 11, 7)
    assert decompacteur.code_cpv == "16150000-1"
    artiste = lyon.marches.get().titulaires.get()
    assert (artiste.type_identifiant, artiste.identifiant) == ("HORS-UE", "USCOLUMBIAARTISTSM")


def test_schema_first_file_is_read_and_strict_mode_refuses_it_for_one_record():
    CommuneFactory(siret_mairie=SIRET_MAIRIE_RENNES)
    strict = importer("schema_v1_paquet.json", strict=True)
    assert strict.lus == 3 and strict.invalides == 1 and strict.refuse and not strict.ecrit
    assert not Marche.objects.exists()

    rapport = importer("schema_v1_paquet.json")
    assert (rapport.lus, rapport.crees, rapport.invalides, rapport.concessions) == (3, 2, 1, 1)
    assert "acheteur.id absent" in rapport.erreurs[0]
    jardins = Marche.objects.get(id_decp="2010-3452112")
    assert jardins.procedure == Procedure.SANS_PUBLICITE and jardins.nature == Nature.MARCHE
    assert jardins.forme_prix == "" and not jardins.incomplet
    viaduc = Marche.objects.get(id_decp="200103452112")
    assert viaduc.nature == Nature.CONCESSION and viaduc.montant == Decimal("27860000.00")
    assert viaduc.date_notification == date(2001, 2, 21)


def test_v2_concessions_listed_first_are_imported_with_their_modifications():
    communes("217500016", "123456789")
    rapport = importer("schema_v2_marches_concessions.json")
    # Both marchés are the Ville de Paris's (two SIRETs, one SIREN).
    assert (rapport.lus, rapport.crees, rapport.concessions, rapport.invalides) == (4, 4, 2, 0)
    concession = Marche.objects.get(id_decp="0612202306122024")
    assert concession.nature == Nature.CONCESSION
    assert (concession.montant_initial, concession.montant) == (Decimal("10.30"), Decimal("25"))
    assert concession.duree_mois == 14 and concession.sociales_connues
    assert concession.clause_sociale and concession.critere_environnemental
    assert concession.titulaires.count() == 2
    marche = Marche.objects.get(id_decp="TEST2022")
    assert marche.sociales_connues and marche.clause_sociale and marche.critere_social


def test_v2_a_holder_change_to_a_15_digit_siret_keeps_the_holders_and_says_why():
    communes("217500016")
    importer("schema_v2_marches_avec_modifications.json")
    marche = Marche.objects.get(id_decp="TEST2022")
    assert [t.identifiant for t in marche.titulaires.all()] == ["55204599900869"]
    assert marche.montant == Decimal("123457.87") and marche.duree_mois == 12
    assert "modifications[0].titulaires[0].id « 868768687576575 » n'est pas un SIRET" in (
        marche.manques
    )
