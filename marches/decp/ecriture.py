"""Writing a batch of contracts: a handful of queries whatever its size.

One lookup of the contracts already there (by buyer and `id`, every lot), one of their
holders, then bulk writes with their history (COPY on PostgreSQL,
bulk_create_with_history elsewhere; bulk_update_with_history for changes).

Identity: a contract is (buyer SIRET, DECP `id`, lot key): see `champs.cle_lot`. A
contract stored before lots were told apart, or entered by hand, has an empty lot key:
the first lot of its `id` met in a file takes it over, instead of being stored twice.
A contract already there is updated when anything differs, holders included, and left
alone otherwise. A contract unpublished by its commune stays unpublished; a holder's
name or structure set by hand is kept when the file has none.
"""

import operator
from collections import defaultdict
from functools import reduce

from django.db import connection
from django.db.models import Q
from psycopg import sql
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import Marche, Titulaire

TAILLE_LOT = 2000
RAISON_IMPORT_DECP = "Import des données essentielles de la commande publique (DECP)"

# The fields a DECP record sets, by attribute name; `publie` is the commune's.
CHAMPS = (
    "commune_id",
    "epci_id",
    "objet",
    "code_cpv",
    "procedure",
    "nature",
    "montant",
    "montant_initial",
    "date_notification",
    "date_publication",
    "duree_mois",
    "duree_mois_initiale",
    "forme_prix",
    "lieu_code",
    "lieu_type_code",
    "clause_sociale",
    "critere_social",
    "marche_reserve",
    "clause_environnementale",
    "critere_environnemental",
    "sociales_connues",
    "environnementales_connues",
    "incomplet",
    "manques",
)
# What a batch reads of the contracts already there: enough to tell whether each changed.
# The rest of a row (its dates of creation and update…) is read only for the few that
# change, whose history needs them whole.
COLONNES_COMPAREES = ["id", "acheteur_siret", "id_decp", "cle_lot", *CHAMPS]
COLONNES_TITULAIRE = [champ.attname for champ in Titulaire._meta.concrete_fields]
CHAMPS_MIS_A_JOUR = [nom.removesuffix("_id") for nom in CHAMPS] + [
    "cle_lot",
    "updated_at",
    "version",
]


def copier(curseur, modele, champs, lignes):
    """COPY `lignes` (lists of values, in the order of `champs`) into `modele`'s table.

    Binary format, with the column types given up front: psycopg then needs no guess
    per value, and the server no parsing; four times the speed of text rows.
    """
    requete = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(modele._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(champ.column) for champ in champs),
    )
    # "varchar(64)" → "varchar", "numeric(14, 2)" → "numeric": the names psycopg knows.
    types = [champ.db_type(connection).split("(")[0].strip() for champ in champs]
    with curseur.copy(requete) as copie:
        copie.set_types(types)
        for ligne in lignes:
            copie.write_row(ligne)


def _inserer(modele, lignes, *, historique):
    """Inserts new rows (dicts of attribute names) and their "+" history rows; sets
    each dict's "id".

    On PostgreSQL, primary keys are drawn from the sequence and the rows COPied, with
    their history rows: several times the speed of bulk_create_with_history, which
    builds a model instance and a historical instance per row and sends them as
    parameters. The history rows hold what simple_history writes ("+", date, reason,
    user). Elsewhere (SQLite), bulk_create_with_history itself.
    """
    if connection.vendor != "postgresql":
        objets = bulk_create_with_history(
            [modele(**ligne) for ligne in lignes], modele, batch_size=TAILLE_LOT, **historique
        )
        for ligne, objet in zip(lignes, objets, strict=True):
            ligne["id"] = objet.pk
        return
    meta = modele._meta
    champs = meta.concrete_fields
    historiques = [
        champ for champ in modele.history.model._meta.concrete_fields if not champ.primary_key
    ]
    user = historique["default_user"]
    speciaux = {
        "history_date": historique["default_date"],
        "history_change_reason": historique["default_change_reason"],
        "history_type": "+",
        "history_user_id": user.pk if user is not None else None,
    }
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(lignes)],
        )
        for ligne, (pk,) in zip(lignes, curseur.fetchall(), strict=True):
            ligne["id"] = pk
        noms = [champ.attname for champ in champs]
        copier(curseur, modele, champs, ([ligne.get(nom) for nom in noms] for ligne in lignes))
        noms = [champ.attname for champ in historiques]
        copier(
            curseur,
            modele.history.model,
            historiques,
            (
                [fusion.get(nom) for nom in noms]
                for fusion in (ligne | speciaux for ligne in lignes)
            ),
        )


def _cles_du_lot(lot):
    """(buyer = X and id in (…)) or (buyer = Y and id in (…)), every lot of those ids:
    each branch is a range of the unique (buyer, id, lot) index, whatever the statistics
    say."""
    ids_par_acheteur = defaultdict(set)
    for lu in lot:
        ids_par_acheteur[lu.acheteur_siret].add(lu.id_decp)
    return reduce(
        operator.or_,
        (Q(acheteur_siret=siret, id_decp__in=ids) for siret, ids in ids_par_acheteur.items()),
    )


def ecrire_lot(lot, rapport, *, maintenant, by, structures):
    """Writes `lot` (a list of champs.Lu, no two with the same identity)."""
    historique = {
        "default_user": by,
        "default_change_reason": RAISON_IMPORT_DECP,
        "default_date": maintenant,
    }
    # Rows already there are read as dicts; a model instance is built only for the
    # few that change, which bulk_update_with_history needs.
    existants, sans_cle = {}, {}
    # .order_by(): no sort by the model's ordering, which nothing here needs.
    for ligne in Marche.objects.filter(_cles_du_lot(lot)).order_by().values(*COLONNES_COMPAREES):
        existants[(ligne["acheteur_siret"], ligne["id_decp"], ligne["cle_lot"])] = ligne
        if not ligne["cle_lot"]:
            sans_cle[(ligne["acheteur_siret"], ligne["id_decp"])] = ligne
    titulaires_existants = {}
    if existants:
        # .order_by(): the model's ordering (by contract) would join every contract of
        # the table to sort them, and the import would slow down as the table grows.
        for titulaire in (
            Titulaire.objects.filter(marche_id__in=[ligne["id"] for ligne in existants.values()])
            .order_by()
            .values(*COLONNES_TITULAIRE)
        ):
            titulaires_existants.setdefault(titulaire["marche_id"], {})[
                (titulaire["type_identifiant"], titulaire["identifiant"])
            ] = titulaire

    # New rows are plain dicts: no model instance is built for them on PostgreSQL.
    nouveaux, titulaires_des_nouveaux, modifies = [], [], []
    titulaires_ajoutes, titulaires_modifies, titulaires_retires = [], [], []
    for lu in lot:
        actuel = existants.get((lu.acheteur_siret, lu.id_decp, lu.cle_lot))
        if actuel is None:
            # A contract without a lot key (entered by hand, or stored before lots were
            # told apart) is taken over by the first lot of its id.
            actuel = sans_cle.pop((lu.acheteur_siret, lu.id_decp), None)
        if actuel is None:
            nouveaux.append(
                {
                    "acheteur_siret": lu.acheteur_siret,
                    "id_decp": lu.id_decp,
                    "cle_lot": lu.cle_lot,
                    "publie": True,
                    "version": 1,
                    "created_at": maintenant,
                    "updated_at": maintenant,
                    **lu.valeurs,
                }
            )
            titulaires_des_nouveaux.append(
                [
                    {
                        "type_identifiant": type_id,
                        "identifiant": ident,
                        "denomination": nom,
                        "structure_id": structures.get(ident),
                    }
                    for type_id, ident, nom in lu.titulaires
                ]
            )
            continue
        differences = {nom: v for nom, v in lu.valeurs.items() if actuel[nom] != v}
        if actuel["cle_lot"] != lu.cle_lot:
            differences["cle_lot"] = lu.cle_lot
        change = bool(differences)
        anciens = titulaires_existants.get(actuel["id"], {})
        voulus = set()
        for type_id, ident, nom in lu.titulaires:
            voulus.add((type_id, ident))
            titulaire = anciens.get((type_id, ident))
            structure_id = structures.get(ident)
            if titulaire is None:
                titulaires_ajoutes.append(
                    {
                        "marche_id": actuel["id"],
                        "type_identifiant": type_id,
                        "identifiant": ident,
                        "denomination": nom,
                        "structure_id": structure_id,
                    }
                )
                change = True
                continue
            # A name or a structure set by hand is kept when the file says nothing.
            nom = nom or titulaire["denomination"]
            structure_id = structure_id or titulaire["structure_id"]
            if (titulaire["denomination"], titulaire["structure_id"]) != (nom, structure_id):
                titulaires_modifies.append(
                    Titulaire(**{**titulaire, "denomination": nom, "structure_id": structure_id})
                )
                change = True
        retires = [t["id"] for cle, t in anciens.items() if cle not in voulus]
        if retires:
            titulaires_retires += retires
            change = True
        if change:
            modifies.append((actuel["id"], differences))
        else:
            rapport.inchanges += 1

    if nouveaux:
        _inserer(Marche, nouveaux, historique=historique)
        for ligne, titulaires in zip(nouveaux, titulaires_des_nouveaux, strict=True):
            for titulaire in titulaires:
                titulaire["marche_id"] = ligne["id"]
                titulaires_ajoutes.append(titulaire)
    if modifies:
        entiers = Marche.objects.in_bulk([pk for pk, _ in modifies])
        for pk, differences in modifies:
            for nom, valeur in differences.items():
                setattr(entiers[pk], nom, valeur)
            entiers[pk].updated_at = maintenant
            # A member's form opened before the import then sees it as a conflict.
            entiers[pk].version += 1
        bulk_update_with_history(
            list(entiers.values()), Marche, CHAMPS_MIS_A_JOUR, batch_size=500, **historique
        )
    if titulaires_retires:
        # One by one through the ORM, so that each removal lands in the history.
        Titulaire.objects.filter(pk__in=titulaires_retires).delete()
    if titulaires_ajoutes:
        _inserer(Titulaire, titulaires_ajoutes, historique=historique)
    if titulaires_modifies:
        bulk_update_with_history(
            titulaires_modifies,
            Titulaire,
            ["denomination", "structure"],
            batch_size=TAILLE_LOT,
            **historique,
        )
    rapport.crees += len(nouveaux)
    rapport.mis_a_jour += len(modifies)
