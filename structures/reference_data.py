"""Typologies de structures, prestations, secteurs et réseaux, d'après le guide Coorace « Bâtir une
commune engagée, inclusive et durable : mode d'emploi » et la nomenclature des annuaires de
fournisseurs inclusifs.
"""

# (code, nom, famille, description)
TYPES_STRUCTURE = (
    (
        "AI",
        "Association intermédiaire",
        "iae",
        "Association qui embauche des personnes en insertion et les met à disposition "
        "de particuliers, d'associations, de collectivités ou d'entreprises pour des "
        "missions ponctuelles.",
    ),
    (
        "ACI",
        "Atelier et chantier d'insertion",
        "iae",
        "Dispositif porté le plus souvent par une association ou une collectivité, qui "
        "emploie des personnes très éloignées de l'emploi sur des activités d'utilité "
        "sociale avec un accompagnement renforcé.",
    ),
    (
        "EI",
        "Entreprise d'insertion",
        "iae",
        "Entreprise du secteur marchand qui produit des biens ou des services tout en "
        "offrant à des salariés en insertion un contrat de travail et un suivi.",
    ),
    (
        "ETTI",
        "Entreprise de travail temporaire d'insertion",
        "iae",
        "Agence d'intérim dont les missions sont réservées à des personnes en parcours "
        "d'insertion, suivies sur le plan social et professionnel.",
    ),
    (
        "EITI",
        "Entreprise d'insertion par le travail indépendant",
        "iae",
        "Structure qui accompagne des personnes en insertion exerçant une activité "
        "indépendante, notamment pour développer leur clientèle.",
    ),
    (
        "GEIQ",
        "Groupement d'employeurs pour l'insertion et la qualification",
        "inclusion",
        "Groupement d'entreprises qui recrute en alternance des personnes éloignées de "
        "l'emploi et les met à disposition de ses membres pour les qualifier.",
    ),
    (
        "EA",
        "Entreprise adaptée",
        "handicap",
        "Entreprise du milieu ordinaire dont la majorité des salariés sont des "
        "travailleurs reconnus handicapés, accompagnés dans leur projet professionnel.",
    ),
    (
        "EATT",
        "Entreprise adaptée de travail temporaire",
        "handicap",
        "Entreprise adaptée spécialisée dans l'intérim, qui confie des missions à des "
        "travailleurs handicapés pour faciliter leur passage vers d'autres employeurs.",
    ),
    (
        "ESAT",
        "Établissement et service d'aide par le travail",
        "handicap",
        "Établissement médico-social qui accueille des personnes handicapées orientées "
        "par la CDAPH et leur propose une activité professionnelle avec un soutien adapté.",
    ),
    (
        "ASSO",
        "Association",
        "ess",
        "Association à but non lucratif, relevant le plus souvent de la loi de 1901, "
        "qui exerce une activité d'utilité sociale ou économique.",
    ),
    (
        "SCOP",
        "Société coopérative et participative",
        "ess",
        "Coopérative dont les salariés sont les associés majoritaires et décident selon "
        "le principe « une personne, une voix ».",
    ),
    (
        "SCIC",
        "Société coopérative d'intérêt collectif",
        "ess",
        "Coopérative qui réunit salariés, bénéficiaires, collectivités et autres "
        "partenaires autour d'une activité d'intérêt collectif.",
    ),
    (
        "ESUS",
        "Entreprise agréée ESUS",
        "ess",
        "Entreprise de l'ESS titulaire de l'agrément « entreprise solidaire d'utilité "
        "sociale » délivré par l'État.",
    ),
)

# (code, nom, description)
TYPES_PRESTATION = (
    (
        "MAD",
        "Mise à disposition",
        "Des salariés en insertion travaillent chez un client pour une mission donnée, "
        "sur le modèle de l'intérim (AI, ETTI).",
    ),
    (
        "PREST",
        "Prestation de services",
        "La structure réalise elle-même un service pour un client, avec ses propres "
        "équipes et son encadrement.",
    ),
    (
        "PROD",
        "Fabrication et commercialisation de biens",
        "La structure fabrique ou vend des produits, par exemple en atelier ou en "
        "boutique (ACI, EI).",
    ),
)

# (slug, nom, ((slug, nom), ...)) : 20 groupes, chacun avec 2 à 5 secteurs
GROUPES_SECTEURS = (
    (
        "espaces-verts-exterieurs",
        "Espaces verts & extérieurs",
        (
            ("entretien-espaces-verts", "Entretien des espaces verts"),
            ("elagage-abattage", "Élagage et abattage"),
            ("amenagement-paysager", "Création et aménagement paysager"),
            ("entretien-voirie-deneigement", "Entretien de la voirie et déneigement"),
            ("entretien-milieux-naturels", "Entretien des milieux naturels et rivières"),
        ),
    ),
    (
        "medico-social",
        "Médico-social",
        (
            ("accompagnement-personnes-agees", "Accompagnement des personnes âgées"),
            ("accompagnement-handicap", "Accompagnement des personnes en situation de handicap"),
            ("mediation-sociale", "Médiation sociale"),
            ("transport-accompagne", "Transport accompagné de personnes fragiles"),
        ),
    ),
    (
        "reparations-depannages",
        "Réparations & dépannages",
        (
            ("petits-travaux-depannage", "Petits travaux et dépannage"),
            ("reparation-electromenager", "Réparation d'électroménager"),
            ("reparation-cycles", "Réparation et entretien de cycles"),
            ("garage-solidaire", "Garage et mécanique automobile solidaire"),
        ),
    ),
    (
        "entretien-linge",
        "Entretien du linge",
        (
            ("blanchisserie", "Blanchisserie"),
            ("pressing-repassage", "Pressing et repassage"),
            ("retouches-couture", "Retouches et couture"),
        ),
    ),
    (
        "securite-prevention",
        "Sécurité & prévention",
        (
            ("gardiennage-surveillance", "Gardiennage et surveillance"),
            ("securite-evenements", "Accueil et sécurité d'événements"),
            ("tranquillite-publique", "Prévention et tranquillité publique"),
        ),
    ),
    (
        "agro-alimentaire",
        "Agro-alimentaire",
        (
            ("maraichage", "Maraîchage biologique"),
            ("transformation-alimentaire", "Transformation de produits alimentaires"),
            ("paniers-circuits-courts", "Vente de paniers en circuits courts"),
            ("epicerie-solidaire", "Épicerie solidaire"),
        ),
    ),
    (
        "hygiene-proprete",
        "Hygiène et propreté",
        (
            ("nettoyage-locaux", "Nettoyage de locaux"),
            ("nettoyage-vitres", "Nettoyage de vitres"),
            ("proprete-urbaine", "Propreté urbaine"),
            ("desinfection-nuisibles", "Désinfection et lutte contre les nuisibles"),
        ),
    ),
    (
        "batiment-travaux-publics",
        "Bâtiment et travaux publics",
        (
            ("gros-oeuvre-maconnerie", "Gros œuvre et maçonnerie"),
            ("second-oeuvre", "Second œuvre (peinture, plâtrerie, revêtements)"),
            ("renovation-energetique", "Rénovation énergétique"),
            ("voirie-reseaux-divers", "Voirie et réseaux divers"),
            ("restauration-patrimoine-bati", "Restauration du patrimoine bâti"),
        ),
    ),
    (
        "assistance-administrative",
        "Assistance administrative",
        (
            ("secretariat", "Secrétariat"),
            ("saisie-numerisation", "Saisie et numérisation de documents"),
            ("accueil-standard", "Accueil et standard téléphonique"),
            ("gestion-archives", "Gestion et archivage"),
        ),
    ),
    (
        "prestations-informatiques",
        "Prestations informatiques",
        (
            ("maintenance-informatique", "Maintenance et dépannage informatique"),
            ("reconditionnement-informatique", "Reconditionnement de matériel informatique"),
            ("developpement-web", "Création de sites et développement web"),
            ("mediation-numerique", "Médiation numérique"),
        ),
    ),
    (
        "ameublement-decoration-textile-artisanat",
        "Ameublement, décoration, textile & artisanat",
        (
            ("menuiserie-ebenisterie", "Menuiserie et ébénisterie"),
            ("tapisserie-restauration-meubles", "Tapisserie et restauration de meubles"),
            ("confection-textile", "Confection textile"),
            ("artisanat-art", "Artisanat d'art"),
        ),
    ),
    (
        "communication-marketing",
        "Communication, marketing",
        (
            ("imprimerie-reprographie", "Imprimerie et reprographie"),
            ("graphisme-pao", "Graphisme et PAO"),
            ("routage-mise-sous-pli", "Routage et mise sous pli"),
            ("photo-video", "Photo et vidéo"),
        ),
    ),
    (
        "sous-traitance-industrielle",
        "Sous-traitance industrielle",
        (
            ("conditionnement-emballage", "Conditionnement et emballage"),
            ("assemblage-montage", "Assemblage et montage"),
            ("travaux-facon", "Travaux à façon"),
            ("cablage-electronique", "Câblage et électronique"),
        ),
    ),
    (
        "demenagements-livraisons-transports",
        "Déménagements, livraisons & transports",
        (
            ("demenagement", "Déménagement"),
            ("livraison-dernier-kilometre", "Livraison du dernier kilomètre"),
            ("logistique-stockage", "Logistique et stockage"),
            ("transport-personnes", "Transport de personnes"),
        ),
    ),
    (
        "collecte-traitement-dechets",
        "Collecte & traitement des déchets",
        (
            ("collecte-dechets", "Collecte des déchets"),
            ("tri-dechets", "Tri des déchets"),
            ("enlevement-encombrants", "Enlèvement des encombrants"),
            ("compostage-biodechets", "Compostage et biodéchets"),
        ),
    ),
    (
        "recyclage-economie-circulaire",
        "Recyclage, économie circulaire",
        (
            ("ressourcerie-recyclerie", "Ressourcerie et recyclerie"),
            ("reemploi-materiaux", "Réemploi de matériaux"),
            ("deconstruction-demantelement", "Déconstruction et démantèlement"),
            ("recyclage-textile", "Collecte et recyclage textile"),
            ("reconditionnement-electromenager", "Reconditionnement d'électroménager"),
        ),
    ),
    (
        "culture-loisirs-tourisme",
        "Culture, loisirs & tourisme",
        (
            ("animation-evenementiel", "Animation et événementiel"),
            ("hebergement-touristique", "Hébergement touristique"),
            ("accueil-visites-touristiques", "Accueil et visites touristiques"),
            ("activites-sportives-loisirs", "Activités sportives et de loisirs"),
        ),
    ),
    (
        "prestations-intellectuelles",
        "Prestations intellectuelles",
        (
            ("formation", "Formation"),
            ("conseil-etudes", "Conseil et études"),
            ("traduction-interpretariat", "Traduction et interprétariat"),
            ("comptabilite-gestion", "Comptabilité et gestion"),
        ),
    ),
    (
        "services-a-la-personne",
        "Services à la personne",
        (
            ("menage-repassage-domicile", "Ménage et repassage à domicile"),
            ("garde-enfants", "Garde d'enfants"),
            ("aide-domicile", "Aide à domicile"),
            (
                "jardinage-bricolage-particuliers",
                "Petit jardinage et bricolage chez les particuliers",
            ),
        ),
    ),
    (
        "restauration",
        "Restauration",
        (
            ("restauration-collective", "Restauration collective"),
            ("traiteur", "Traiteur"),
            ("restaurant-insertion", "Restaurant d'insertion"),
            ("portage-repas", "Portage et livraison de repas"),
        ),
    ),
)

# (slug, nom, description)
RESEAUX = (
    (
        "coorace",
        "Coorace",
        "Fédération des entreprises d'utilité sociale et territoriale, qui regroupe plus "
        "de 550 structures de l'IAE.",
    ),
    (
        "fei",
        "Fédération des entreprises d'insertion",
        "Réseau national des entreprises d'insertion et des entreprises de travail "
        "temporaire d'insertion.",
    ),
    (
        "chantier-ecole",
        "Chantier école",
        "Réseau national qui fédère les porteurs d'ateliers et chantiers d'insertion.",
    ),
    (
        "unea",
        "UNEA",
        "Union nationale des entreprises adaptées, qui représente les EA et les EATT.",
    ),
    (
        "cocagne",
        "Réseau Cocagne",
        "Réseau des Jardins de Cocagne, chantiers d'insertion en maraîchage bio qui "
        "vendent leurs légumes sous forme de paniers.",
    ),
    (
        "envie",
        "Fédération Envie",
        "Réseau d'entreprises d'insertion spécialisées dans la rénovation et la revente "
        "d'appareils électroménagers.",
    ),
    (
        "ffgeiq",
        "FFGEIQ",
        "Fédération française des groupements d'employeurs pour l'insertion et la qualification.",
    ),
    (
        "cnlrq",
        "CNLRQ (régies de quartier)",
        "Comité national de liaison des régies de quartier, qui associent habitants, "
        "collectivités et bailleurs sociaux.",
    ),
)
