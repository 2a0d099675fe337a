"""Demo data loaded by `manage.py seed_demo`, never in production.

The communes and their EPCI are real (Ille-et-Vilaine, Rennes Métropole, INSEE
codes, approximate municipal population); everything else is fictional:
people, structures, contracts, documents. Every SIRET of a structure or a
company starts with 9 and every address or link ends in `.test`, so nothing
points to a real business. Dates are fixed so that running the seed twice, on
different days, gives the same data.
"""

from datetime import date

from stdnum import luhn
from stdnum.fr import siret as stdnum_siret

from axes.enums import NaturePreuve, Statut
from marches.enums import BaseLegale, FormePrix, Procedure
from structures.enums import TypeSoutien

from .enums import NatureEPCI, Role

MOT_DE_PASSE = "demo-commune-engagee"
ADRESSE_DU_SITE = "http://127.0.0.1:8000/"

EPCI = {"siren": "243500139", "nom": "Rennes Métropole", "nature": NatureEPCI.METRO}

DEPARTEMENT = "35"

# (code INSEE, nom, population municipale arrondie). The first one is the
# commune of the demo accounts.
COMMUNES = (
    ("35238", "Rennes", 225_000),
    ("35051", "Cesson-Sévigné", 18_600),
    ("35047", "Bruz", 18_900),
    ("35281", "Saint-Jacques-de-la-Lande", 13_900),
    ("35024", "Betton", 12_200),
    ("35210", "Pacé", 11_900),
    ("35055", "Chantepie", 10_700),
    ("35240", "Le Rheu", 10_000),
    ("35066", "Chartres-de-Bretagne", 8_000),
)
RENNES = "35238"

STRUCTURE_DU_COMPTE_SIAE = "93500001800017"

COMPTES = (
    {
        "email": "elu@demo.test",
        "prenom": "Nolwenn",
        "nom": "Le Bihan",
        "commune": (RENNES, Role.ADMIN),
        "role": "élue, administratrice de Rennes",
    },
    {
        "email": "agent@demo.test",
        "prenom": "Yannick",
        "nom": "Guillou",
        "commune": (RENNES, Role.EDITEUR),
        "role": "agent, éditeur de Rennes",
    },
    {
        "email": "siae@demo.test",
        "prenom": "Maëlle",
        "nom": "Riou",
        "structure": STRUCTURE_DU_COMPTE_SIAE,
        "role": "administratrice de Jardins solidaires de la Vilaine",
    },
    {
        "email": "staff@demo.test",
        "prenom": "Thomas",
        "nom": "Morvan",
        "staff": True,
        "role": "équipe de la plateforme (admin Django)",
    },
)

# Signatures of the guide; the other communes have not signed (empty state).
SIGNATURES = {
    "35238": {
        "date_signature": date(2025, 3, 17),
        "deliberation_numero": "DCM 2025-041",
        "deliberation_date": date(2025, 3, 10),
    },
    "35051": {
        "date_signature": date(2025, 11, 24),
        "deliberation_numero": "2025-118",
        "deliberation_date": date(2025, 11, 20),
    },
    "35047": {
        "date_signature": date(2025, 6, 2),
        "deliberation_numero": "DEL-2025-067",
        "deliberation_date": date(2025, 5, 27),
    },
    "35281": {
        "date_signature": date(2026, 1, 19),
        "deliberation_numero": "2026-003",
        "deliberation_date": date(2026, 1, 15),
    },
    "35024": {
        "date_signature": date(2025, 9, 15),
        "deliberation_numero": "2025-09-12",
        "deliberation_date": date(2025, 9, 11),
    },
}

# code INSEE -> (nom, mandat, depuis)
ELUS_REFERENTS = {
    "35238": ("Nolwenn Le Bihan", "Adjointe à l'économie sociale et solidaire", date(2025, 3, 10)),
    "35051": ("Erwan Kerjean", "Conseiller municipal délégué à l'emploi", date(2025, 11, 20)),
    "35047": ("Sophie Lemaître", "Adjointe à l'emploi et à l'insertion", date(2025, 5, 27)),
    "35281": ("Karim Benali", "Adjoint à l'économie et à l'ESS", date(2026, 1, 15)),
    "35024": ("Anne Gicquel", "Adjointe aux solidarités et à l'ESS", date(2025, 9, 11)),
}

DOCUMENTS = "https://documents.demo.test"

# code INSEE -> action code -> engagement. "pilote" is a demo account's email,
# "pilote_nom" a free-text name; "preuves" are (titre, nature, lien, date,
# publique) and "jalons" (date, titre, atteint).
ENGAGEMENTS = {
    "35238": {
        "1.1": {
            "statut": Statut.REALISE,
            "description": (
                "Depuis l'adoption du schéma des achats responsables, chaque marché de travaux, "
                "de propreté et d'espaces verts de plus de 90 000 € comporte une clause "
                "d'insertion, suivie par le facilitateur de la métropole."
            ),
            "pilote": "agent@demo.test",
            "note_interne": "Relancer la commande publique pour le bilan semestriel des heures.",
            "preuves": (
                (
                    "Délibération adoptant le SPASER 2025-2027",
                    NaturePreuve.DELIBERATION,
                    f"{DOCUMENTS}/rennes/spaser-2025-2027.pdf",
                    date(2025, 1, 20),
                    True,
                ),
                (
                    "Bilan 2025 des clauses sociales",
                    NaturePreuve.RAPPORT,
                    f"{DOCUMENTS}/rennes/bilan-clauses-sociales-2025.pdf",
                    date(2026, 2, 9),
                    True,
                ),
            ),
            "jalons": (
                (date(2025, 1, 20), "Adoption du SPASER en conseil municipal", True),
                (date(2025, 9, 30), "Premier bilan des heures d'insertion", True),
                (date(2027, 1, 31), "Révision du SPASER", False),
            ),
        },
        "1.2": {
            "statut": Statut.EN_COURS,
            "avancement": 60,
            "date_cible": date(2027, 1, 31),
            "description": (
                "Cartographie des achats de la ville pour repérer ceux que les SIAE, les "
                "entreprises adaptées et l'ESS peuvent assurer ; objectif : 10 % du volume "
                "d'achats courants."
            ),
            "pilote_nom": "Direction de la commande publique",
            "jalons": (
                (date(2026, 3, 31), "Cartographie des achats ouverts aux SIAE", True),
                (date(2027, 1, 31), "10 % des achats courants auprès de l'ESS", False),
            ),
        },
        "1.3": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2027, 6, 30),
            "description": (
                "Former d'ici mi-2027 les 40 agents acheteurs et les élus de la commission "
                "d'appel d'offres aux clauses sociales et aux marchés réservés."
            ),
            "pilote": "agent@demo.test",
            "jalons": ((date(2027, 2, 15), "Première session de formation", False),),
        },
        "2.1": {
            "statut": Statut.REALISE,
            "description": (
                "Une adjointe au maire est chargée de l'économie sociale et solidaire et de "
                "l'insertion par l'activité économique."
            ),
            "pilote_nom": "Cabinet du maire",
            "preuves": (
                (
                    "Arrêté de délégation à l'adjointe à l'ESS",
                    NaturePreuve.DELIBERATION,
                    f"{DOCUMENTS}/rennes/arrete-delegation-ess.pdf",
                    date(2025, 3, 12),
                    True,
                ),
            ),
        },
        "2.2": {
            "statut": Statut.EN_COURS,
            "avancement": 40,
            "description": (
                "Un forum annuel des structures d'insertion se tient à l'hôtel de ville ; "
                "l'annuaire en ligne des SIAE du territoire est en préparation."
            ),
            "pilote_nom": "Mission ESS",
            "note_interne": "Voir avec la communication pour la page de l'annuaire.",
        },
        "2.3": {"statut": Statut.NON_RENSEIGNE, "note_interne": "À discuter en commission."},
        "3.1": {
            "statut": Statut.REALISE,
            "description": (
                "Un fonds municipal de 150 000 € par an soutient les projets de l'IAE et de "
                "l'ESS, sur appel à projets."
            ),
            "pilote": "elu@demo.test",
            "preuves": (
                (
                    "Budget primitif 2026 : fonds IAE-ESS",
                    NaturePreuve.BUDGET,
                    f"{DOCUMENTS}/rennes/budget-primitif-2026.pdf",
                    date(2025, 12, 15),
                    True,
                ),
                (
                    "Grille d'analyse de l'appel à projets (document de travail)",
                    NaturePreuve.AUTRE,
                    f"{DOCUMENTS}/rennes/grille-appel-a-projets.pdf",
                    date(2026, 1, 12),
                    False,
                ),
            ),
        },
        "3.2": {
            "statut": Statut.EN_COURS,
            "avancement": 75,
            "description": (
                "L'ancienne halle technique du quartier sud est mise à disposition de la "
                "Ressourcerie des Prairies ; deux terrains accueillent des jardins d'insertion."
            ),
            "pilote_nom": "Direction du patrimoine",
            "jalons": (
                (date(2025, 10, 1), "Convention d'occupation signée", True),
                (date(2027, 3, 31), "Fin des travaux de mise aux normes", False),
            ),
        },
        "3.3": {
            "statut": Statut.NON_CONCERNE,
            "justification": (
                "L'aide à la création de structures relève de Rennes Métropole, compétente en "
                "développement économique ; la ville y contribue par son fonds (action 3.1)."
            ),
        },
        "4.1": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2027, 12, 31),
            "description": (
                "Étudier avec les acteurs du réemploi la création d'un pôle territorial de "
                "coopération économique au sud de la ville."
            ),
            "pilote_nom": "Mission ESS",
        },
        "4.2": {
            "statut": Statut.EN_COURS,
            "avancement": 20,
            "description": (
                "Recensement des locaux vacants de la ville pouvant accueillir des activités "
                "de l'ESS ; une ancienne école est à l'étude."
            ),
            "pilote_nom": "Direction du patrimoine",
            "jalons": ((date(2027, 6, 30), "Choix du premier site à reconvertir", False),),
        },
        "4.3": {
            "statut": Statut.REALISE,
            "description": (
                "Un tiers-lieu inclusif a ouvert dans un ancien local commercial : atelier de "
                "réparation, café associatif et permanences emploi."
            ),
            "pilote_nom": "Mission ESS",
            "preuves": (
                (
                    "Inauguration du tiers-lieu (article du magazine municipal)",
                    NaturePreuve.COMMUNICATION,
                    f"{DOCUMENTS}/rennes/magazine-inauguration-tiers-lieu.html",
                    date(2026, 5, 21),
                    True,
                ),
            ),
        },
        "5.1": {
            "statut": Statut.NON_CONCERNE,
            "justification": (
                "Rennes Métropole est l'autorité organisatrice des mobilités : la ville n'a pas "
                "la compétence."
            ),
        },
        "5.2": {
            "statut": Statut.EN_COURS,
            "avancement": 50,
            "description": (
                "Soutien aux ressourceries et aux ateliers de réparation de vélos ; collecte "
                "du mobilier réformé des services confiée à une structure d'insertion."
            ),
            "pilote": "agent@demo.test",
            "jalons": (
                (date(2025, 1, 27), "Marché réservé de collecte du mobilier notifié", True),
                (date(2027, 1, 15), "Deuxième atelier de réparation ouvert", False),
            ),
        },
        "5.3": {
            "statut": Statut.REALISE,
            "description": (
                "La restauration scolaire sert 50 % de produits bio et locaux ; des jardins "
                "partagés sont ouverts dans chaque quartier."
            ),
            "pilote_nom": "Direction de l'éducation",
            "preuves": (
                (
                    "Marché de denrées biologiques pour la restauration scolaire",
                    NaturePreuve.MARCHE,
                    f"{DOCUMENTS}/rennes/marche-denrees-bio.pdf",
                    date(2024, 9, 9),
                    True,
                ),
                (
                    "Plan alimentaire territorial : bilan d'étape",
                    NaturePreuve.RAPPORT,
                    f"{DOCUMENTS}/rennes/plan-alimentaire-bilan.pdf",
                    date(2026, 6, 30),
                    True,
                ),
            ),
        },
    },
    "35047": {
        "1.1": {
            "statut": Statut.EN_COURS,
            "avancement": 30,
            "description": "Clauses d'insertion dans les marchés d'espaces verts et de bâtiment.",
            "pilote_nom": "Service des marchés publics",
            "jalons": (
                (date(2025, 6, 30), "Clause type validée avec le facilitateur", True),
                (date(2027, 6, 30), "Clause dans tous les marchés de travaux", False),
            ),
        },
        "1.2": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2027, 3, 31),
            "description": "Réserver un premier marché aux structures d'insertion.",
            "pilote_nom": "Service des marchés publics",
        },
        "1.3": {
            "statut": Statut.REALISE,
            "description": "Les agents acheteurs ont suivi une journée de formation en 2025.",
            "pilote_nom": "Direction générale des services",
            "preuves": (
                (
                    "Attestation de formation aux achats responsables",
                    NaturePreuve.AUTRE,
                    f"{DOCUMENTS}/bruz/attestation-formation.pdf",
                    date(2025, 10, 14),
                    True,
                ),
            ),
        },
        "2.1": {
            "statut": Statut.REALISE,
            "description": "Une adjointe est chargée de l'emploi et de l'insertion.",
            "preuves": (
                (
                    "Délibération désignant l'élue référente",
                    NaturePreuve.DELIBERATION,
                    f"{DOCUMENTS}/bruz/deliberation-elue-referente.pdf",
                    date(2025, 5, 27),
                    True,
                ),
            ),
        },
        "2.2": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2027, 6, 30),
            "description": "Présenter les structures d'insertion au forum des associations.",
        },
        "2.3": {"statut": Statut.NON_RENSEIGNE},
        "3.1": {
            "statut": Statut.NON_CONCERNE,
            "justification": (
                "La commune s'appuie sur le fonds de Rennes Métropole plutôt que sur un fonds "
                "communal."
            ),
        },
        "3.2": {
            "statut": Statut.REALISE,
            "description": "Un local municipal est prêté à une entreprise d'insertion du bâtiment.",
            "preuves": (
                (
                    "Convention de mise à disposition du local",
                    NaturePreuve.CONVENTION,
                    f"{DOCUMENTS}/bruz/convention-local.pdf",
                    date(2025, 9, 1),
                    True,
                ),
            ),
        },
        "3.3": {"statut": Statut.NON_RENSEIGNE},
        "4.1": {"statut": Statut.NON_RENSEIGNE},
        "4.2": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2028, 6, 30),
            "description": "Reconvertir l'ancienne caserne en lieu d'activités pour l'ESS.",
            "note_interne": "Attendre l'étude de pollution des sols.",
        },
        "4.3": {
            "statut": Statut.EN_COURS,
            "avancement": 10,
            "description": "Étude d'opportunité d'un tiers-lieu en centre-ville.",
            "jalons": ((date(2027, 1, 31), "Restitution de l'étude d'opportunité", False),),
        },
        "5.1": {
            "statut": Statut.NON_CONCERNE,
            "justification": "La mobilité relève de Rennes Métropole.",
        },
        "5.2": {
            "statut": Statut.EN_COURS,
            "avancement": 55,
            "description": "Une recyclerie associative collecte les encombrants de la commune.",
        },
        "5.3": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2027, 9, 1),
            "description": "Atteindre 50 % de produits durables à la cantine à la rentrée 2027.",
        },
    },
    "35024": {
        "1.1": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2027, 1, 1),
            "description": "Clause d'insertion dans tous les marchés de plus de 90 000 € en 2027.",
        },
        "1.2": {"statut": Statut.NON_RENSEIGNE},
        "1.3": {
            "statut": Statut.EN_COURS,
            "avancement": 50,
            "description": "La moitié des agents concernés a été formée.",
        },
        "2.1": {
            "statut": Statut.REALISE,
            "description": "Une adjointe porte les solidarités et l'économie sociale et solidaire.",
            "preuves": (
                (
                    "Arrêté de délégation",
                    NaturePreuve.DELIBERATION,
                    f"{DOCUMENTS}/betton/arrete-delegation.pdf",
                    date(2025, 9, 11),
                    True,
                ),
            ),
        },
        "2.2": {
            "statut": Statut.REALISE,
            "description": "Les structures d'insertion ont tenu un stand au marché de Noël.",
            "preuves": (
                (
                    "Article du bulletin municipal",
                    NaturePreuve.COMMUNICATION,
                    f"{DOCUMENTS}/betton/bulletin-decembre-2025.html",
                    date(2025, 12, 20),
                    True,
                ),
            ),
        },
        "2.3": {
            "statut": Statut.EN_COURS,
            "avancement": 25,
            "description": "Les structures sont associées à la révision du projet alimentaire.",
            "jalons": (
                (date(2026, 4, 14), "Premier atelier de concertation", True),
                (date(2027, 2, 1), "Second atelier de concertation", False),
            ),
        },
        "3.1": {
            "statut": Statut.NON_CONCERNE,
            "justification": "La commune passe par le fonds intercommunal.",
        },
        "3.2": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2027, 6, 30),
            "description": "Ouvrir une parcelle communale à un jardin d'insertion.",
        },
        "3.3": {
            "statut": Statut.NON_CONCERNE,
            "justification": "Les structures existantes couvrent les besoins de la commune.",
        },
        "4.1": {"statut": Statut.NON_RENSEIGNE},
        "4.2": {"statut": Statut.NON_RENSEIGNE},
        "4.3": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2028, 1, 31),
            "description": "Créer un tiers-lieu dans l'ancienne gare.",
        },
        "5.1": {
            "statut": Statut.NON_CONCERNE,
            "justification": "La mobilité relève de Rennes Métropole.",
        },
        "5.2": {
            "statut": Statut.EN_COURS,
            "avancement": 35,
            "description": "Un atelier de réparation de vélos solidaire ouvre deux jours par mois.",
            "jalons": ((date(2026, 3, 7), "Premier atelier de réparation", True),),
        },
        "5.3": {
            "statut": Statut.REALISE,
            "description": "La cantine sert 40 % de produits bio, dont des légumes d'un ACI.",
            "preuves": (
                (
                    "Menus de la restauration scolaire",
                    NaturePreuve.COMMUNICATION,
                    f"{DOCUMENTS}/betton/menus-cantine.html",
                    date(2026, 9, 1),
                    True,
                ),
            ),
        },
    },
    # Signed recently: a few actions only, the rest stays "non renseigné".
    "35051": {
        "1.1": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2027, 6, 30),
            "description": "Introduire une clause d'insertion dans les marchés de travaux.",
        },
        "2.1": {
            "statut": Statut.REALISE,
            "description": "Un conseiller municipal est délégué à l'emploi et à l'ESS.",
            "preuves": (
                (
                    "Délibération de désignation",
                    NaturePreuve.DELIBERATION,
                    f"{DOCUMENTS}/cesson-sevigne/deliberation-designation.pdf",
                    date(2025, 11, 20),
                    True,
                ),
            ),
        },
        "5.3": {
            "statut": Statut.EN_COURS,
            "avancement": 40,
            "description": "Approvisionnement de la cuisine centrale en légumes d'un ACI.",
        },
    },
    "35281": {
        "2.1": {
            "statut": Statut.REALISE,
            "description": "Un adjoint est chargé de l'économie et de l'ESS.",
            "preuves": (
                (
                    "Arrêté de délégation",
                    NaturePreuve.DELIBERATION,
                    f"{DOCUMENTS}/saint-jacques/arrete-delegation.pdf",
                    date(2026, 1, 15),
                    True,
                ),
            ),
        },
        "3.2": {
            "statut": Statut.EN_COURS,
            "avancement": 60,
            "description": "Un entrepôt municipal est prêté à la Ressourcerie des Prairies.",
        },
        "5.2": {
            "statut": Statut.ENGAGE,
            "date_cible": date(2027, 3, 31),
            "description": "Ouvrir une zone de réemploi à la déchèterie avec la ressourcerie.",
        },
    },
}

# Score snapshots: the last date holds the current state, each earlier date a
# step back in time (see seed_demo.etat_anterieur).
INSTANTANES = {
    "35238": (date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)),
    "35047": (date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)),
    "35024": (date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)),
    "35051": (date(2026, 6, 30), date(2026, 9, 30)),
    "35281": (date(2026, 6, 30), date(2026, 9, 30)),
}

STRUCTURES = (
    {
        "siret": "93500001800017",
        "nom": "Jardins solidaires de la Vilaine",
        "type": "ACI",
        "forme_juridique": "Association loi 1901",
        "description": (
            "Chantier d'insertion en maraîchage biologique : paniers de légumes, entretien "
            "d'espaces naturels. Structure fictive de démonstration."
        ),
        "adresse": "12 chemin des Prairies",
        "code_postal": "35200",
        "commune": "35238",
        "email": "contact@jardins-vilaine.demo.test",
        "site_web": "https://jardins-vilaine.demo.test",
        "secteurs": ("maraichage", "paniers-circuits-courts", "entretien-milieux-naturels"),
        "prestations": ("PROD", "PREST"),
        "reseaux": ("cocagne", "chantier-ecole"),
        "zones_epci": ("243500139",),
        "etp_insertion": "24.5",
        "personnes_accompagnees": 52,
        "taux_sorties_positives": "61.0",
        "chiffres_maj": date(2026, 6, 30),
        "fin_conventionnement": date(2027, 12, 31),
        "verifiee": True,
    },
    {
        "siret": "93500002600010",
        "nom": "Vilaine Emploi Services",
        "type": "AI",
        "forme_juridique": "Association loi 1901",
        "description": (
            "Association intermédiaire : mise à disposition de salariés pour le ménage, "
            "l'entretien et la manutention. Structure fictive de démonstration."
        ),
        "adresse": "4 rue de l'Alma",
        "code_postal": "35000",
        "commune": "35238",
        "email": "accueil@vilaine-emploi.demo.test",
        "secteurs": ("nettoyage-locaux", "menage-repassage-domicile", "demenagement"),
        "prestations": ("MAD",),
        "reseaux": ("coorace",),
        "zones_communes": ("35238", "35051", "35055", "35281"),
        "etp_insertion": "38.0",
        "personnes_accompagnees": 140,
        "taux_sorties_positives": "48.5",
        "chiffres_maj": date(2026, 3, 31),
        "fin_conventionnement": date(2028, 6, 30),
        "verifiee": True,
    },
    {
        "siret": "93500003400014",
        "nom": "Ressourcerie des Prairies",
        "type": "ACI",
        "forme_juridique": "Association loi 1901",
        "description": (
            "Collecte, tri et revente d'objets et de mobilier de réemploi. "
            "Structure fictive de démonstration."
        ),
        "adresse": "Halle technique, 8 rue du Bois-Perrin",
        "code_postal": "35136",
        "commune": "35281",
        "email": "bonjour@ressourcerie-prairies.demo.test",
        "secteurs": ("ressourcerie-recyclerie", "enlevement-encombrants", "reemploi-materiaux"),
        "prestations": ("PREST", "PROD"),
        "reseaux": ("chantier-ecole",),
        "zones_epci": ("243500139",),
        "etp_insertion": "16.0",
        "personnes_accompagnees": 35,
        "taux_sorties_positives": "55.0",
        "chiffres_maj": date(2026, 1, 31),
        "fin_conventionnement": date(2027, 6, 30),
        "verifiee": True,
    },
    {
        "siret": "93500004200017",
        "nom": "Bâti Inclusion Bretagne",
        "type": "EI",
        "forme_juridique": "SAS",
        "description": (
            "Entreprise d'insertion du second œuvre : peinture, plâtrerie, isolation. "
            "Structure fictive de démonstration."
        ),
        "adresse": "ZA de la Haie des Cognets",
        "code_postal": "35170",
        "commune": "35047",
        "email": "chantiers@bati-inclusion.demo.test",
        "secteurs": ("second-oeuvre", "renovation-energetique"),
        "prestations": ("PREST",),
        "reseaux": ("fei",),
        "zones_departements": ("35",),
        "etp_insertion": "21.0",
        "personnes_accompagnees": 30,
        "taux_sorties_positives": "66.5",
        "chiffres_maj": date(2026, 6, 30),
        "fin_conventionnement": date(2028, 12, 31),
        "verifiee": True,
    },
    {
        "siret": "93500005900011",
        "nom": "Intérim Solidaire Ille",
        "type": "ETTI",
        "forme_juridique": "SARL",
        "description": (
            "Missions d'intérim d'insertion dans le bâtiment, la logistique et la propreté. "
            "Structure fictive de démonstration."
        ),
        "adresse": "27 boulevard de la Liberté",
        "code_postal": "35000",
        "commune": "35238",
        "email": "agence@interim-solidaire.demo.test",
        "secteurs": ("gros-oeuvre-maconnerie", "logistique-stockage", "proprete-urbaine"),
        "prestations": ("MAD",),
        "reseaux": ("fei", "coorace"),
        "zones_departements": ("35",),
        "etp_insertion": "45.0",
        "personnes_accompagnees": 210,
        "taux_sorties_positives": "52.0",
        "chiffres_maj": date(2026, 6, 30),
        "fin_conventionnement": date(2027, 12, 31),
        "verifiee": True,
    },
    {
        "siret": "93500006700014",
        "nom": "Atelier adapté du Rheu",
        "type": "EA",
        "forme_juridique": "SAS",
        "description": (
            "Entreprise adaptée : reprographie, mise sous pli, conditionnement. "
            "Structure fictive de démonstration."
        ),
        "adresse": "3 rue des Artisans",
        "code_postal": "35650",
        "commune": "35240",
        "email": "contact@atelier-adapte.demo.test",
        "secteurs": (
            "imprimerie-reprographie",
            "routage-mise-sous-pli",
            "conditionnement-emballage",
        ),
        "prestations": ("PREST",),
        "reseaux": ("unea",),
        "zones_epci": ("243500139",),
        "etp_insertion": None,
        "personnes_accompagnees": 28,
        "taux_sorties_positives": None,
        "chiffres_maj": date(2025, 12, 31),
        "verifiee": True,
    },
    {
        "siret": "93500007500017",
        "nom": "ESAT Les Ateliers de la Seiche",
        "type": "ESAT",
        "forme_juridique": "Établissement géré par une association",
        "description": (
            "Espaces verts, blanchisserie et restauration pour les collectivités et les "
            "entreprises. Structure fictive de démonstration."
        ),
        "adresse": "1 allée de la Seiche",
        "code_postal": "35131",
        "commune": "35066",
        "email": "esat@ateliers-seiche.demo.test",
        "secteurs": ("entretien-espaces-verts", "blanchisserie", "restauration-collective"),
        "prestations": ("PREST",),
        "reseaux": (),
        "zones_communes": ("35066", "35047", "35281"),
        "etp_insertion": None,
        "personnes_accompagnees": 75,
        "taux_sorties_positives": None,
        "chiffres_maj": date(2026, 1, 31),
        "verifiee": True,
    },
    {
        "siret": "93500008300011",
        "nom": "Régie de quartier Couronne Sud",
        "type": "ASSO",
        "forme_juridique": "Association loi 1901",
        "description": (
            "Régie de quartier : propreté urbaine, petits travaux et médiation avec les "
            "habitants. Structure fictive de démonstration."
        ),
        "adresse": "9 place de l'Église",
        "code_postal": "35135",
        "commune": "35055",
        "email": "regie@couronne-sud.demo.test",
        "secteurs": ("proprete-urbaine", "petits-travaux-depannage", "mediation-sociale"),
        "prestations": ("PREST",),
        "reseaux": ("cnlrq",),
        "zones_communes": ("35055", "35238"),
        "etp_insertion": "12.5",
        "personnes_accompagnees": 26,
        "taux_sorties_positives": "45.0",
        "chiffres_maj": date(2026, 6, 30),
        "verifiee": True,
    },
    {
        "siret": "93500009100014",
        "nom": "Mobilités solidaires rennaises",
        "type": "SCIC",
        "forme_juridique": "SCIC SAS",
        "description": (
            "Garage et atelier vélo solidaires, location de véhicules à bas prix pour les "
            "personnes en parcours d'insertion. Structure fictive de démonstration."
        ),
        "adresse": "15 rue de Rennes",
        "code_postal": "35510",
        "commune": "35051",
        "email": "atelier@mobilites-solidaires.demo.test",
        "secteurs": ("garage-solidaire", "reparation-cycles"),
        "prestations": ("PREST", "PROD"),
        "reseaux": (),
        "zones_epci": ("243500139",),
        "etp_insertion": "6.0",
        "personnes_accompagnees": 14,
        "taux_sorties_positives": "70.0",
        "chiffres_maj": date(2026, 6, 30),
        "verifiee": True,
    },
    {
        "siret": "93500010900014",
        "nom": "Cuisine partagée de Pacé",
        "type": "EI",
        "forme_juridique": "SAS",
        "description": (
            "Traiteur et restauration collective en insertion, en cours de vérification par "
            "l'équipe de la plateforme. Structure fictive de démonstration."
        ),
        "adresse": "22 rue du Docteur Léon",
        "code_postal": "35740",
        "commune": "35210",
        "email": "cuisine@cuisine-pace.demo.test",
        "secteurs": ("traiteur", "restauration-collective"),
        "prestations": ("PROD", "PREST"),
        "reseaux": ("fei",),
        "zones_communes": ("35210", "35240"),
        "etp_insertion": "8.0",
        "personnes_accompagnees": 15,
        "taux_sorties_positives": None,
        "chiffres_maj": date(2026, 9, 30),
        "verifiee": False,
    },
)

# (commune, SIRET de la structure, type, montant ou None, année, description)
SOUTIENS = (
    (
        "35238",
        "93500001800017",
        TypeSoutien.SUBVENTION,
        "25000.00",
        2025,
        "Fonds IAE-ESS : extension des jardins.",
    ),
    ("35238", "93500003400014", TypeSoutien.LOCAUX, None, 2025, "Halle technique du quartier sud."),
    ("35238", "93500002600010", TypeSoutien.ACHATS, "38000.00", 2025, "Mises à disposition."),
    ("35047", "93500004200017", TypeSoutien.LOCAUX, None, 2025, "Local de stockage prêté."),
    ("35024", "93500001800017", TypeSoutien.SUBVENTION, "8000.00", 2026, "Jardin d'insertion."),
    ("35281", "93500003400014", TypeSoutien.LOCAUX, None, 2026, "Entrepôt municipal."),
)

# Ordinary companies holding contracts (fictional).
ENTREPRISES = {
    "93600001700017": "Paysages et Jardins de l'Ouest",
    "93600002500010": "Ouest Propreté Services",
    "93600003300014": "Restauration Collective d'Armor",
    "93600004100017": "Travaux Publics de la Vilaine",
    "93600005800011": "Bureautique Bretagne Informatique",
    "93600006600014": "Imprimerie des Quatre Vents",
    "93600007400018": "Bâtiment Rénovation Ille",
    "93600008200011": "Cars et Transports de l'Ille",
    "93600009000014": "Gardiennage Sécurité Ouest",
    "93600010800014": "Mobilier et Agencement de l'Ouest",
}

DESCRIPTIONS_CLAUSES = {
    BaseLegale.L2112_2: (
        "Heures de travail réservées à des personnes éloignées de l'emploi, suivies par le "
        "facilitateur."
    ),
    BaseLegale.L2152_7: "Critère d'attribution sur la qualité du volet insertion de l'offre.",
    BaseLegale.L2113_12: "Marché réservé aux entreprises adaptées et aux ESAT.",
    BaseLegale.L2113_13: "Marché réservé aux structures d'insertion par l'activité économique.",
    BaseLegale.L2113_15: "Marché réservé aux entreprises de l'économie sociale et solidaire.",
}

FACILITATEUR = ("Gaëlle Tanguy", "Mission clauses sociales de Rennes Métropole")

# "sociales" and "environnementales" use the DECP words; "clauses" are
# (base légale, heures prévues, suivis), a suivi being (début, fin, heures
# réalisées, personnes embauchées, contrats signés).
MARCHES = (
    {
        "commune": "35238",
        "id_decp": "2024-0007",
        "objet": "Entretien des espaces verts des parcs et squares (lot 2 : secteur nord)",
        "code_cpv": "77310000-6",
        "procedure": Procedure.AO_OUVERT,
        "montant": "412000.00",
        "date_notification": date(2024, 2, 19),
        "duree_mois": 48,
        "forme_prix": FormePrix.UNITAIRE,
        "sociales": ("clause",),
        "environnementales": ("clause",),
        "titulaires": ("93500001800017", "93600001700017"),
        "clauses": (
            (
                BaseLegale.L2112_2,
                3200,
                (
                    (date(2024, 3, 1), date(2024, 12, 31), "1140.0", 4, 5),
                    (date(2025, 1, 1), date(2025, 12, 31), "1530.0", 5, 6),
                ),
            ),
        ),
    },
    {
        "commune": "35238",
        "id_decp": "2024-0031",
        "objet": "Nettoyage des locaux administratifs et des écoles",
        "code_cpv": "90911200-8",
        "procedure": Procedure.AO_OUVERT,
        "montant": "1250000.00",
        "date_notification": date(2024, 6, 3),
        "duree_mois": 48,
        "forme_prix": FormePrix.UNITAIRE,
        "sociales": ("clause",),
        "titulaires": ("93600002500010",),
        "clauses": (
            (
                BaseLegale.L2112_2,
                6500,
                (
                    (date(2024, 7, 1), date(2024, 12, 31), "820.0", 3, 3),
                    (date(2025, 1, 1), date(2025, 12, 31), "1960.0", 6, 8),
                    (date(2026, 1, 1), date(2026, 6, 30), "1010.0", 4, 4),
                ),
            ),
        ),
    },
    {
        "commune": "35238",
        "id_decp": "2024-0058",
        "objet": "Fourniture de denrées alimentaires biologiques pour la restauration scolaire",
        "code_cpv": "15000000-8",
        "procedure": Procedure.AO_OUVERT,
        "montant": "890000.00",
        "date_notification": date(2024, 9, 9),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "environnementales": ("clause", "critère"),
        "titulaires": ("93600003300014",),
    },
    {
        "commune": "35238",
        "id_decp": "2025-0004",
        "objet": "Collecte et réemploi du mobilier réformé des services municipaux",
        "code_cpv": "90500000-2",
        "procedure": Procedure.ADAPTEE,
        "montant": "68000.00",
        "date_notification": date(2025, 1, 27),
        "duree_mois": 24,
        "forme_prix": FormePrix.FORFAITAIRE,
        "sociales": ("réservé",),
        "environnementales": ("clause",),
        "titulaires": ("93500003400014",),
        "clauses": ((BaseLegale.L2113_13, None, ()),),
    },
    {
        "commune": "35238",
        "id_decp": "2025-0019",
        "objet": "Travaux de réfection de voirie, programme 2025",
        "code_cpv": "45233140-2",
        "procedure": Procedure.AO_OUVERT,
        "montant": "2400000.00",
        "date_notification": date(2025, 3, 24),
        "duree_mois": 12,
        "forme_prix": FormePrix.UNITAIRE,
        "sociales": ("clause",),
        "titulaires": ("93600004100017",),
        "clauses": (
            (
                BaseLegale.L2112_2,
                4000,
                (
                    (date(2025, 4, 1), date(2025, 9, 30), "2150.0", 7, 9),
                    (date(2025, 10, 1), date(2026, 3, 31), "2310.0", 6, 6),
                ),
            ),
        ),
    },
    {
        "commune": "35238",
        "id_decp": "2025-0042",
        "objet": "Impression des supports de communication municipaux",
        "code_cpv": "79810000-5",
        "procedure": Procedure.ADAPTEE,
        "montant": "145000.00",
        "date_notification": date(2025, 5, 12),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "environnementales": ("critère",),
        "titulaires": ("93600006600014",),
    },
    {
        "commune": "35238",
        "id_decp": "2025-0066",
        "objet": "Maintenance du parc informatique des écoles",
        "code_cpv": "50320000-4",
        "procedure": Procedure.AO_OUVERT,
        "montant": "310000.00",
        "date_notification": date(2025, 7, 7),
        "duree_mois": 48,
        "forme_prix": FormePrix.MIXTE,
        "titulaires": ("93600005800011",),
    },
    {
        "commune": "35238",
        "id_decp": "2025-0090",
        "objet": "Gardiennage des équipements sportifs",
        "code_cpv": "79713000-5",
        "procedure": Procedure.AO_OUVERT,
        "montant": "520000.00",
        "date_notification": date(2025, 10, 13),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "sociales": ("critère",),
        "titulaires": ("93600009000014",),
        "clauses": ((BaseLegale.L2152_7, None, ()),),
    },
    {
        "commune": "35238",
        "id_decp": "2026-0011",
        "objet": "Mise à disposition de personnel pour les services techniques",
        "code_cpv": "79620000-6",
        "procedure": Procedure.ADAPTEE,
        "montant": "180000.00",
        "date_notification": date(2026, 2, 2),
        "duree_mois": 24,
        "forme_prix": FormePrix.UNITAIRE,
        "sociales": ("réservé",),
        "titulaires": ("93500002600010",),
        "clauses": ((BaseLegale.L2113_13, None, ()),),
    },
    {
        "commune": "35238",
        "id_decp": "2026-0027",
        "objet": "Rénovation énergétique du groupe scolaire Colombier : isolation thermique",
        "code_cpv": "45321000-3",
        "procedure": Procedure.AO_OUVERT,
        "montant": "1780000.00",
        "date_notification": date(2026, 4, 20),
        "duree_mois": 18,
        "forme_prix": FormePrix.FORFAITAIRE,
        "environnementales": ("clause",),
        "titulaires": ("93600007400018",),
    },
    {
        "commune": "35047",
        "id_decp": "2024-015",
        "objet": "Entretien des espaces verts communaux",
        "code_cpv": "77310000-6",
        "procedure": Procedure.ADAPTEE,
        "montant": "185000.00",
        "date_notification": date(2024, 4, 15),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "sociales": ("clause",),
        "titulaires": ("93600001700017",),
        "clauses": (
            (
                BaseLegale.L2112_2,
                900,
                (
                    (date(2024, 5, 1), date(2024, 12, 31), "380.0", 2, 2),
                    (date(2025, 1, 1), date(2025, 12, 31), "510.0", 2, 3),
                ),
            ),
        ),
    },
    {
        "commune": "35047",
        "id_decp": "2025-008",
        "objet": "Réhabilitation de la salle polyvalente, lot 6 : peinture",
        "code_cpv": "45442100-8",
        "procedure": Procedure.ADAPTEE,
        "montant": "96000.00",
        "date_notification": date(2025, 2, 10),
        "duree_mois": 6,
        "forme_prix": FormePrix.FORFAITAIRE,
        "sociales": ("clause",),
        "titulaires": ("93500004200017",),
        "clauses": (
            (
                BaseLegale.L2112_2,
                400,
                ((date(2025, 3, 1), date(2025, 8, 31), "365.0", 2, 2),),
            ),
        ),
    },
    {
        "commune": "35047",
        "id_decp": "2025-021",
        "objet": "Fourniture de repas en liaison froide pour le restaurant scolaire",
        "code_cpv": "55523100-3",
        "procedure": Procedure.AO_OUVERT,
        "montant": "640000.00",
        "date_notification": date(2025, 6, 30),
        "duree_mois": 48,
        "forme_prix": FormePrix.UNITAIRE,
        "environnementales": ("clause", "critère"),
        "titulaires": ("93600003300014",),
    },
    {
        "commune": "35047",
        "id_decp": "2026-004",
        "objet": "Location et maintenance de copieurs multifonctions",
        "code_cpv": "30121100-4",
        "procedure": Procedure.ADAPTEE,
        "montant": "72000.00",
        "date_notification": date(2026, 1, 19),
        "duree_mois": 48,
        "forme_prix": FormePrix.MIXTE,
        "titulaires": ("93600005800011",),
    },
    {
        "commune": "35051",
        "id_decp": "2024-0103",
        "objet": "Nettoyage des vitres des bâtiments communaux",
        "code_cpv": "90911300-9",
        "procedure": Procedure.ADAPTEE,
        "montant": "54000.00",
        "date_notification": date(2024, 10, 7),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "titulaires": ("93600002500010",),
    },
    {
        "commune": "35051",
        "id_decp": "2025-0027",
        "objet": "Entretien et réparation de la flotte de vélos de service",
        "code_cpv": "50000000-5",
        "procedure": Procedure.ADAPTEE,
        "montant": "46000.00",
        "date_notification": date(2025, 4, 14),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "sociales": ("critère",),
        "environnementales": ("critère",),
        "titulaires": ("93500009100014",),
        "clauses": ((BaseLegale.L2152_7, None, ()),),
    },
    {
        "commune": "35051",
        "id_decp": "2026-0009",
        "objet": "Travaux de voirie et réseaux divers, rue de la Chalotais",
        "code_cpv": "45233140-2",
        "procedure": Procedure.AO_OUVERT,
        "montant": "980000.00",
        "date_notification": date(2026, 3, 9),
        "duree_mois": 12,
        "forme_prix": FormePrix.UNITAIRE,
        "titulaires": ("93600004100017",),
    },
    {
        "commune": "35281",
        "id_decp": "2024-22",
        "objet": "Collecte et évacuation des encombrants des bâtiments communaux",
        "code_cpv": "90511000-2",
        "procedure": Procedure.ADAPTEE,
        "montant": "48000.00",
        "date_notification": date(2024, 5, 21),
        "duree_mois": 24,
        "forme_prix": FormePrix.FORFAITAIRE,
        "sociales": ("réservé",),
        "titulaires": ("93500003400014",),
        "clauses": ((BaseLegale.L2113_13, None, ()),),
    },
    {
        "commune": "35281",
        "id_decp": "2025-09",
        "objet": "Fourniture de denrées pour la restauration scolaire",
        "code_cpv": "15800000-6",
        "procedure": Procedure.AO_OUVERT,
        "montant": "420000.00",
        "date_notification": date(2025, 8, 25),
        "duree_mois": 48,
        "forme_prix": FormePrix.UNITAIRE,
        "environnementales": ("critère",),
        "titulaires": ("93600003300014",),
    },
    {
        "commune": "35281",
        "id_decp": "2026-03",
        "objet": "Travaux d'aménagement de l'accueil de la mairie",
        "code_cpv": "45000000-7",
        "procedure": Procedure.ADAPTEE,
        "montant": "135000.00",
        "date_notification": date(2026, 5, 4),
        "duree_mois": 8,
        "forme_prix": FormePrix.FORFAITAIRE,
        "titulaires": ("93600007400018",),
    },
    {
        "commune": "35024",
        "id_decp": "2024-B12",
        "objet": "Entretien des espaces naturels et des bords du canal",
        "code_cpv": "77310000-6",
        "procedure": Procedure.ADAPTEE,
        "montant": "98000.00",
        "date_notification": date(2024, 3, 11),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "sociales": ("clause",),
        "environnementales": ("clause",),
        "titulaires": ("93500001800017",),
        "clauses": (
            (
                BaseLegale.L2112_2,
                700,
                (
                    (date(2024, 4, 1), date(2024, 12, 31), "310.0", 3, 3),
                    (date(2025, 1, 1), date(2025, 12, 31), "360.0", 3, 4),
                ),
            ),
        ),
    },
    {
        "commune": "35024",
        "id_decp": "2025-B04",
        "objet": "Transport scolaire et périscolaire",
        "code_cpv": "60100000-9",
        "procedure": Procedure.AO_OUVERT,
        "montant": "360000.00",
        "date_notification": date(2025, 8, 18),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "titulaires": ("93600008200011",),
    },
    {
        "commune": "35024",
        "id_decp": "2026-B02",
        "objet": "Fourniture de mobilier scolaire",
        "code_cpv": "39160000-1",
        "procedure": Procedure.ADAPTEE,
        "montant": "64000.00",
        "date_notification": date(2026, 6, 15),
        "duree_mois": 12,
        "forme_prix": FormePrix.UNITAIRE,
        "environnementales": ("clause",),
        "titulaires": ("93600010800014",),
    },
    {
        "commune": "35210",
        "id_decp": "2025-P07",
        "objet": "Nettoyage des locaux communaux",
        "code_cpv": "90910000-9",
        "procedure": Procedure.ADAPTEE,
        "montant": "156000.00",
        "date_notification": date(2025, 1, 13),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "sociales": ("clause",),
        "titulaires": ("93600002500010",),
        "clauses": (
            (
                BaseLegale.L2112_2,
                1200,
                ((date(2025, 1, 1), date(2025, 12, 31), "540.0", 2, 2),),
            ),
        ),
    },
    {
        "commune": "35210",
        "id_decp": "2026-P01",
        "objet": "Maintenance des installations de chauffage des bâtiments communaux",
        "code_cpv": "50720000-8",
        "procedure": Procedure.AO_OUVERT,
        "montant": "240000.00",
        "date_notification": date(2026, 2, 23),
        "duree_mois": 48,
        "forme_prix": FormePrix.UNITAIRE,
        "titulaires": ("93600007400018",),
    },
    {
        "commune": "35055",
        "id_decp": "2024-C05",
        "objet": "Propreté urbaine et entretien des abords des équipements",
        "code_cpv": "90610000-6",
        "procedure": Procedure.ADAPTEE,
        "montant": "110000.00",
        "date_notification": date(2024, 11, 4),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "sociales": ("réservé",),
        "titulaires": ("93500008300011",),
        "clauses": ((BaseLegale.L2113_13, None, ()),),
    },
    {
        "commune": "35055",
        "id_decp": "2025-C11",
        "objet": "Prestations de traiteur pour les manifestations communales",
        "code_cpv": "55520000-1",
        "procedure": Procedure.ADAPTEE,
        "montant": "58000.00",
        "date_notification": date(2025, 9, 15),
        "duree_mois": 24,
        "forme_prix": FormePrix.UNITAIRE,
        "titulaires": ("93500010900014",),
    },
    {
        "commune": "35240",
        "id_decp": "2024-R03",
        "objet": "Reprographie et mise sous pli des courriers municipaux",
        "code_cpv": "79800000-2",
        "procedure": Procedure.ADAPTEE,
        "montant": "42000.00",
        "date_notification": date(2024, 6, 17),
        "duree_mois": 24,
        "forme_prix": FormePrix.UNITAIRE,
        "titulaires": ("93500006700014",),
    },
    {
        "commune": "35240",
        "id_decp": "2025-R10",
        "objet": "Extension du restaurant scolaire, lot 1 : gros œuvre",
        "code_cpv": "45210000-2",
        "procedure": Procedure.AO_OUVERT,
        "montant": "730000.00",
        "date_notification": date(2025, 11, 3),
        "duree_mois": 14,
        "forme_prix": FormePrix.FORFAITAIRE,
        "environnementales": ("clause",),
        "titulaires": ("93600004100017",),
    },
    {
        "commune": "35066",
        "id_decp": "2025-CB02",
        "objet": "Entretien des terrains de sport",
        "code_cpv": "77320000-9",
        "procedure": Procedure.ADAPTEE,
        "montant": "88000.00",
        "date_notification": date(2025, 4, 7),
        "duree_mois": 36,
        "forme_prix": FormePrix.UNITAIRE,
        "titulaires": ("93600001700017",),
    },
)


def siret_mairie(code_insee, *, siren=""):
    """The SIRET of a mairie: its SIREN (the real one when known; otherwise built the way
    INSEE numbers communes: 21 + DEP + 0 + COM, Corsica's two départements numbered 20 as
    in SIRENE), then establishment 0001 and its key."""
    if not siren:
        if code_insee[:2] in ("2A", "2B"):
            code_insee = "20" + code_insee[2:]
        siren = f"21{code_insee[:2]}0{code_insee[2:]}"
        siren += luhn.calc_check_digit(siren)
    siret = f"{siren}0001"
    siret += luhn.calc_check_digit(siret)
    if not stdnum_siret.is_valid(siret):
        raise ValueError(f"SIRET de mairie invalide pour {code_insee} : {siret}")
    return siret


def etat_anterieur(statut, avancement, recul):
    """Where an action plausibly stood `recul` steps before its current state."""
    for _ in range(recul):
        if statut == Statut.REALISE:
            statut, avancement = Statut.EN_COURS, 70
        elif statut == Statut.EN_COURS and avancement >= 30:
            avancement //= 2
        elif statut == Statut.EN_COURS:
            statut, avancement = Statut.ENGAGE, None
        elif statut == Statut.ENGAGE:
            statut = Statut.NON_RENSEIGNE
    return statut, avancement
