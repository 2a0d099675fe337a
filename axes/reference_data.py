"""Référentiels d'après le guide Coorace « Bâtir une commune engagée, inclusive et durable : mode
d'emploi » et la campagne Coorace « S'engager pour les territoires inclusifs de demain !
#Municipales2020 ».
"""

GUIDE = {
    "code": "guide-commune-engagee",
    "version": "2025",
    "titre": "Guide de la commune engagée, inclusive et durable",
    "source": (
        "« Bâtir une commune engagée, inclusive et durable : mode d'emploi », "
        "guide publié par le réseau Coorace"
    ),
    "description": (
        "Guide du réseau Coorace destiné aux communes et intercommunalités qui veulent "
        "appuyer les structures de l'IAE et de l'ESS. Il décline cinq axes en quinze "
        "actions concrètes. Il rappelle aussi quelques repères : 4 500 structures "
        "d'insertion dans le pays, 300 000 personnes accompagnées par an et un PASS IAE "
        "valable 2 ans."
    ),
    "axes": (
        {
            "numero": 1,
            "titre": "Commande publique responsable",
            "resume": (
                "Utiliser les achats de la commune comme un levier d'emploi local et "
                "d'inclusion, en y ajoutant des exigences sociales et environnementales."
            ),
            "actions": (
                {
                    "code": "1.1",
                    "titre": "Clauses sociales systématiques",
                    "resume": (
                        "Prévoir par principe, dans les contrats passés par la commune, "
                        "des clauses qui imposent l'embauche de salariés en "
                        "parcours d'insertion."
                    ),
                    "poids": 1,
                },
                {
                    "code": "1.2",
                    "titre": "Achats socialement et écologiquement responsables (ASER)",
                    "resume": (
                        "Orienter une part des achats municipaux vers les structures de "
                        "l'ESS et de l'IAE tout en réduisant leur empreinte sur "
                        "l'environnement."
                    ),
                    "poids": 1,
                },
                {
                    "code": "1.3",
                    "titre": "Formation des équipes municipales",
                    "resume": (
                        "Former élus et agents aux outils de l'achat responsable et des "
                        "clauses sociales, pour qu'ils sachent les appliquer."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 2,
            "titre": "L'IAE et l'ESS dans la politique municipale",
            "resume": (
                "Donner à l'IAE et à l'ESS une place reconnue dans l'économie de la "
                "commune, avec un portage politique clair et une visibilité auprès de tous."
            ),
            "actions": (
                {
                    "code": "2.1",
                    "titre": "Élu référent ESS/IAE",
                    "resume": (
                        "Confier à un élu, à la commune comme à l'intercommunalité, la "
                        "charge de porter et de conduire la politique en faveur de l'IAE "
                        "et de l'ESS."
                    ),
                    "poids": 1,
                },
                {
                    "code": "2.2",
                    "titre": "Valorisation des structures",
                    "resume": (
                        "Faire connaître les structures de l'IAE et de l'ESS à la "
                        "population, au commerce local et aux institutions, par exemple "
                        "par des événements ou un annuaire."
                    ),
                    "poids": 1,
                },
                {
                    "code": "2.3",
                    "titre": "Participation aux projets municipaux",
                    "resume": (
                        "Associer ces structures à l'élaboration des projets de la "
                        "commune, qu'il s'agisse d'urbanisme, d'alimentation ou d'emploi."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 3,
            "titre": "Des moyens concrets pour l'IAE",
            "resume": (
                "Apporter aux structures d'insertion des ressources financières et "
                "matérielles, afin qu'elles fassent face à la demande et stabilisent le "
                "parcours des salariés accompagnés."
            ),
            "actions": (
                {
                    "code": "3.1",
                    "titre": "Fonds communal ou intercommunal",
                    "resume": (
                        "Créer une enveloppe dédiée, à l'échelle de la commune ou de "
                        "l'intercommunalité, pour financer des projets de l'IAE et de l'ESS."
                    ),
                    "poids": 1,
                },
                {
                    "code": "3.2",
                    "titre": "Locaux et terrains municipaux",
                    "resume": (
                        "Ouvrir des bâtiments ou des terrains appartenant à la commune aux "
                        "acteurs de l'insertion et de l'innovation sociale."
                    ),
                    "poids": 1,
                },
                {
                    "code": "3.3",
                    "titre": "Création de nouvelles structures",
                    "resume": (
                        "Accompagner l'implantation de structures de l'IAE là où un besoin "
                        "est établi, en particulier en milieu rural et dans les quartiers "
                        "prioritaires."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 4,
            "titre": "Coopération entre acteurs du territoire",
            "resume": (
                "Faire naître des lieux et des démarches collectives qui rapprochent "
                "entreprises, collectivités, associations et habitants."
            ),
            "actions": (
                {
                    "code": "4.1",
                    "titre": "Pôles territoriaux de coopération économique (PTCE)",
                    "resume": (
                        "Encourager la constitution de PTCE où acteurs économiques, "
                        "pouvoirs publics, associations et citoyens travaillent ensemble "
                        "au développement local."
                    ),
                    "poids": 1,
                },
                {
                    "code": "4.2",
                    "titre": "Reconversion des friches et bâtiments vacants",
                    "resume": (
                        "Transformer des friches ou des locaux inoccupés en lieux "
                        "d'activité pour les structures de l'ESS."
                    ),
                    "poids": 1,
                },
                {
                    "code": "4.3",
                    "titre": "Tiers-lieux inclusifs",
                    "resume": (
                        "Accompagner l'essor de tiers-lieux ouverts à tous, qui tissent du "
                        "lien entre habitants et génèrent de l'activité économique locale."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 5,
            "titre": "Transition écologique juste",
            "resume": (
                "Conduire une transition écologique qui n'oublie personne, en s'appuyant "
                "sur les savoir-faire de l'IAE et de l'ESS."
            ),
            "actions": (
                {
                    "code": "5.1",
                    "titre": "Mobilité douce",
                    "resume": (
                        "Développer la marche, le vélo et les transports collectifs, en "
                        "priorité là où les habitants des quartiers populaires en ont besoin."
                    ),
                    "poids": 1,
                },
                {
                    "code": "5.2",
                    "titre": "Économie circulaire et circuits courts",
                    "resume": (
                        "Appuyer ressourceries, ateliers de réparation et plateformes "
                        "logistiques solidaires, ainsi que les filières de proximité."
                    ),
                    "poids": 1,
                },
                {
                    "code": "5.3",
                    "titre": "Politique alimentaire durable",
                    "resume": (
                        "Soutenir l'agriculture bio du territoire, une restauration "
                        "scolaire bio et locale ainsi que les jardins partagés."
                    ),
                    "poids": 1,
                },
            ),
        },
    ),
}

PROPOSITIONS_2020 = {
    "code": "propositions-municipales-2020",
    "version": "2020",
    "titre": "Propositions Coorace pour les municipales 2020",
    "source": (
        "« S'engager pour les territoires inclusifs de demain ! #Municipales2020 », "
        "campagne du réseau Coorace"
    ),
    "description": (
        "Campagne du réseau Coorace destinée aux listes candidates aux municipales de "
        "2020 : dix propositions en faveur des entreprises d'utilité sociale et "
        "territoriale, déclinées en vingt engagements. Le réseau y revendique plus de "
        "550 structures et 70 000 personnes accompagnées vers l'emploi chaque année."
    ),
    "axes": (
        {
            "numero": 1,
            "titre": "Clauses d'insertion et commande publique",
            "resume": (
                "Les achats publics aident les personnes éloignées de l'emploi à "
                "reprendre une activité : les clauses d'insertion leur ouvrent les portes "
                "des entreprises titulaires."
            ),
            "actions": (
                {
                    "code": "1.1",
                    "titre": "Faire de l'insertion un critère de choix",
                    "resume": (
                        "Intégrer partout la qualité de l'insertion parmi les critères "
                        "d'attribution des marchés publics, comme un élément central des "
                        "offres."
                    ),
                    "poids": 1,
                },
                {
                    "code": "1.2",
                    "titre": "Mobiliser les entreprises d'utilité sociale",
                    "resume": (
                        "Dialoguer davantage avec les entreprises d'utilité sociale et "
                        "territoriale afin d'étendre les clauses et améliorer les parcours "
                        "des salariés en insertion."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 2,
            "titre": "Achats socialement responsables",
            "resume": (
                "Les achats publics responsables soutiennent l'emploi local et peuvent "
                "cibler les quartiers prioritaires et les zones rurales fragiles."
            ),
            "actions": (
                {
                    "code": "2.1",
                    "titre": "Former élus et techniciens à la commande publique",
                    "resume": (
                        "Proposer aux élus et aux agents une formation aux règles et aux "
                        "outils de l'achat public."
                    ),
                    "poids": 1,
                },
                {
                    "code": "2.2",
                    "titre": "Repérer et promouvoir l'offre locale",
                    "resume": (
                        "Recenser puis mettre en avant les biens et services des "
                        "entreprises d'utilité sociale du territoire afin d'accroître les "
                        "achats responsables."
                    ),
                    "poids": 1,
                },
                {
                    "code": "2.3",
                    "titre": "Porter la démarche à l'intercommunalité",
                    "resume": (
                        "Défendre ces propositions au sein de l'intercommunalité pour "
                        "qu'elles s'appliquent au-delà de la seule commune."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 3,
            "titre": "Mobilité douce et inclusive",
            "resume": (
                "Le manque de transports publics et le coût du permis ou d'un véhicule "
                "freinent l'accès à l'emploi, surtout dans les quartiers et les zones "
                "rurales isolés."
            ),
            "actions": (
                {
                    "code": "3.1",
                    "titre": "Transports en commun gratuits et électriques",
                    "resume": (
                        "Mettre en place un réseau de transports collectifs sans coût pour "
                        "l'usager et roulant à l'électricité."
                    ),
                    "poids": 1,
                },
                {
                    "code": "3.2",
                    "titre": "Soutenir les mobilités solidaires",
                    "resume": (
                        "Accompagner les entreprises d'utilité sociale qui créent des "
                        "offres de transport responsables, comme le covoiturage citoyen ou "
                        "un bus de ramassage associatif."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 4,
            "titre": "Développement durable et économie circulaire",
            "resume": (
                "Miser sur l'économie circulaire fait naître des emplois impossibles à "
                "délocaliser, encourage le réemploi et aide à réduire le volume de déchets."
            ),
            "actions": (
                {
                    "code": "4.1",
                    "titre": "Développer ressourceries et repair cafés",
                    "resume": (
                        "Lancer avec les acteurs locaux des projets éco-responsables : "
                        "ressourceries, recycleries, repair cafés, etc."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 5,
            "titre": "Cohésion sociale et solidarité",
            "resume": (
                "En ville comme à la campagne, les entreprises d'utilité sociale créent du "
                "lien grâce à des activités solidaires pour les personnes âgées, "
                "vulnérables ou isolées."
            ),
            "actions": (
                {
                    "code": "5.1",
                    "titre": "Nouer des partenariats solidaires",
                    "resume": (
                        "Bâtir et mettre en lumière des coopérations avec ceux qui "
                        "renforcent au quotidien l'entraide et la cohésion locale."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 6,
            "titre": "Tiers-lieux et friches",
            "resume": (
                "Les acteurs de l'ESS redonnent vie aux lieux délaissés ; les tiers-lieux "
                "permettent aux habitants de se les approprier et favorisent la mixité "
                "sociale."
            ),
            "actions": (
                {
                    "code": "6.1",
                    "titre": "Mobiliser le foncier municipal",
                    "resume": (
                        "Inventorier le patrimoine de la commune et l'ouvrir à des "
                        "tiers-lieux, des friches culturelles ou des espaces consacrés à "
                        "l'ESS."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 7,
            "titre": "Redynamisation économique",
            "resume": (
                "Les PTCE fédèrent les acteurs d'un territoire autour d'une ambition "
                "partagée pour recréer des filières, des emplois et de la vitalité locale."
            ),
            "actions": (
                {
                    "code": "7.1",
                    "titre": "Faire émerger des projets de territoire",
                    "resume": (
                        "Appuyer la création de PTCE, le lancement d'appels à projets "
                        "collectifs ou la naissance d'entreprises à but d'emploi."
                    ),
                    "poids": 1,
                },
                {
                    "code": "7.2",
                    "titre": "ESS et contrats de ville",
                    "resume": (
                        "Donner une place à l'ESS au sein des contrats de ville et utiliser "
                        "ce cadre pour orienter les achats publics vers les quartiers en "
                        "difficulté."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 8,
            "titre": "Agriculture et alimentation",
            "resume": (
                "Manger sainement et cultiver dans le respect de l'environnement "
                "préoccupent les habitants ; l'ESS contribue à l'essor des circuits courts "
                "et des fermes bio."
            ),
            "actions": (
                {
                    "code": "8.1",
                    "titre": "Jardins partagés et agriculture urbaine",
                    "resume": (
                        "Aider à créer des jardins partagés et des espaces dédiés à la "
                        "culture en ville."
                    ),
                    "poids": 1,
                },
                {
                    "code": "8.2",
                    "titre": "Cantines scolaires bio et locales",
                    "resume": (
                        "Servir dans la restauration scolaire des produits bio, venant de "
                        "producteurs proches ou de circuits courts."
                    ),
                    "poids": 1,
                },
                {
                    "code": "8.3",
                    "titre": "Épiceries solidaires et vente en vrac",
                    "resume": (
                        "Soutenir l'ouverture d'épiceries solidaires proposant des produits "
                        "en vrac."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 9,
            "titre": "Financer l'ESS et lui dédier un élu",
            "resume": (
                "Les élus locaux doivent encourager les acteurs de l'ESS à la fois par un "
                "appui financier et par une politique transversale."
            ),
            "actions": (
                {
                    "code": "9.1",
                    "titre": "Financer les projets collectifs de l'ESS",
                    "resume": (
                        "Subventionner les actions des acteurs de l'ESS, en priorité celles "
                        "menées collectivement."
                    ),
                    "poids": 1,
                },
                {
                    "code": "9.2",
                    "titre": "Fiscalité locale favorable à l'ESS",
                    "resume": (
                        "Appliquer aux acteurs de l'ESS un régime de taxes locales plus avantageux."
                    ),
                    "poids": 1,
                },
                {
                    "code": "9.3",
                    "titre": "Désigner un élu chargé de l'ESS",
                    "resume": (
                        "Confier explicitement le suivi de l'ESS à un membre du conseil municipal."
                    ),
                    "poids": 1,
                },
            ),
        },
        {
            "numero": 10,
            "titre": "Évaluer l'utilité sociale et territoriale",
            "resume": (
                "Mesurer ce que les choix municipaux apportent aux habitants et au "
                "territoire, à l'aide d'indicateurs qualitatifs : pouvoir d'agir, emploi "
                "de qualité, développement économique local."
            ),
            "actions": (
                {
                    "code": "10.1",
                    "titre": "Mesurer l'impact des décisions municipales",
                    "resume": (
                        "Évaluer les effets sociaux et territoriaux des orientations "
                        "politiques prises par la commune."
                    ),
                    "poids": 1,
                },
                {
                    "code": "10.2",
                    "titre": "Associer les habitants à l'évaluation",
                    "resume": (
                        "Faire participer habitants et associations à l'évaluation des "
                        "projets conduits par la municipalité."
                    ),
                    "poids": 1,
                },
            ),
        },
    ),
}

# Code d'engagement 2020 -> codes des actions du guide qu'il sert.
CORRESPONDANCES_2020_GUIDE = {
    "1.1": ("1.1",),
    "1.2": ("1.1", "2.3"),
    "2.1": ("1.3",),
    "2.2": ("1.2", "2.2"),
    "2.3": ("2.1", "1.2"),
    "3.1": ("5.1",),
    "3.2": ("5.1",),
    "4.1": ("5.2",),
    "5.1": ("2.2",),
    "6.1": ("4.2", "4.3", "3.2"),
    "7.1": ("4.1", "3.3"),
    "7.2": ("1.2", "2.3"),
    "8.1": ("5.3",),
    "8.2": ("5.3", "5.2"),
    "8.3": ("5.2", "5.3"),
    "9.1": ("3.1",),
    "9.2": ("3.1",),
    "9.3": ("2.1",),
    "10.1": ("2.1", "2.2"),
    "10.2": ("2.3",),
}
