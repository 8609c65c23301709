"""French contract text (simplified, in the style of a French commercial contract)."""

from __future__ import annotations

from .contract_text import ContractText, Plan, ScheduleText, Words, fixed, role_fr


def _preamble(w: Words) -> list[tuple[str, str]]:
    r = w.record
    out = [("", "ENTRE LES SOUSSIGNÉS :")]
    for i, party in enumerate(r["parties"]):
        if i:
            out.append(("", "ET"))
        out.append((f"({i + 1})", f"{party['name']} ({w.register(party['name'])}), dont le siège social est sis "
                                  f"{party['address']} (ci-après « {party['role']} »),"))
    return out + [("", "ci-après ensemble les « Parties » et individuellement une « Partie ». IL A ÉTÉ CONVENU CE "
                       f"QUI SUIT, avec effet au {w.date(r['effective_date'])} (la « Date d'entrée en vigueur ») :")]


def _clause_term(w: Words) -> tuple[str, list[str]]:
    r = w.record
    start = (f"Le présent Contrat entre en vigueur le {w.date(r['effective_date'])} pour une durée initiale de "
             f"{r['term_months']} mois, soit jusqu'au {w.date(r['expiry_date'])} (la « Durée initiale »).")
    if r["auto_renewal"]:
        renewal = ("À l'issue de la Durée initiale, le Contrat est reconduit tacitement par périodes successives de "
                   "douze (12) mois, sauf dénonciation par l'une des Parties par lettre recommandée au moins "
                   f"{r['renewal_notice_days']} jours avant l'échéance.")
    else:
        renewal = ("Le Contrat n'est pas reconduit tacitement. Toute prolongation au-delà de la Durée initiale "
                   "requiert un avenant écrit signé par les deux Parties.")
    survival = ("L'expiration ou la résiliation du Contrat n'affecte pas les droits et obligations nés "
                "antérieurement. Les stipulations qui, par nature, ont vocation à survivre, notamment la "
                "confidentialité, demeurent en vigueur.")
    return "Durée", [start, renewal, survival]


def _clause_fees(w: Words) -> tuple[str, list[str]]:
    r, f = w.record, w.fill
    if w.annual_fee:
        fee = (f"En contrepartie des droits et livraisons prévus au présent Contrat, {f['r']} verse {f['p_to']} une "
               f"redevance annuelle de {w.money()} hors taxes, facturée annuellement d'avance.")
    else:
        fee = (f"{f['R']} rémunère {f['p']} selon les prix fixés dans chaque bon de commande. Le montant total "
               f"facturé pendant la Durée initiale ne peut excéder {w.money()} hors taxes (la « Valeur du "
               "Contrat »), sauf accord écrit des Parties.")
    return "Prix et modalités de paiement", [
        fee,
        f"Conditions de paiement : {r['payment_terms']}. Les factures mentionnent la référence du Contrat et, le "
        f"cas échéant, le numéro de commande {f['r_of']}.",
        "Tout retard de paiement donne lieu à des pénalités au taux légal ainsi qu'à l'indemnité forfaitaire pour "
        "frais de recouvrement.",
    ]


def _clause_law(w: Words) -> tuple[str, list[str]]:
    return "Droit applicable et juridiction", [
        f"Le présent Contrat est régi par {w.law}, à l'exclusion de ses règles de conflit de lois et de la "
        "Convention de Vienne sur la vente internationale de marchandises.",
        "Tout litige relatif à la validité, à l'interprétation ou à l'exécution du présent Contrat relève de la "
        f"compétence exclusive des tribunaux de {w.court}, sans préjudice des mesures provisoires ou conservatoires.",
    ]


_CLAUSES = {
    "term": _clause_term,
    "fees": _clause_fees,
    "law": _clause_law,
    "services": fixed(
        "Objet et description des prestations",
        "{P} exécute les prestations décrites dans chaque bon de commande avec soin et diligence, conformément aux "
        "règles de l'art.",
        "Chaque bon de commande fait partie intégrante du présent Contrat. En cas de contradiction, les stipulations "
        "du Contrat prévalent, sauf dérogation expresse.",
        "{R} donne {p_to} un accès en temps utile à ses locaux, systèmes, informations et interlocuteurs."),
    "personnel": fixed(
        "Personnel et sous-traitance",
        "{P} affecte aux prestations un personnel qualifié et expérimenté.",
        "{P} ne peut sous-traiter tout ou partie des prestations qu'avec l'accord écrit préalable {r_of} ; il "
        "demeure responsable de ses sous-traitants."),
    "change": fixed(
        "Modification des prestations",
        "Toute demande de modification du périmètre est formulée par écrit. {P} en communique l'impact sur le "
        "calendrier et le prix sous dix (10) jours ouvrés ; aucune modification n'engage les Parties avant la "
        "signature d'un avenant."),
    "nda_purpose": fixed(
        "Objet",
        "Les Parties envisagent d'étudier une éventuelle relation d'affaires (l'« Objet »). Dans ce cadre, {p} peut "
        "communiquer {r_to} des Informations Confidentielles selon les termes du présent Contrat."),
    "nda_definition": fixed(
        "Informations confidentielles",
        "Sont considérées comme « Informations Confidentielles » toutes les informations communiquées par {p} "
        "{r_to}, sous quelque forme que ce soit, notamment les plans d'affaires, données clients, prix, données "
        "techniques, codes source et savoir-faire."),
    "nda_obligations": fixed(
        "Obligations de la Partie Réceptrice",
        "{R} s'engage à garder les Informations Confidentielles strictement confidentielles, à ne les utiliser que "
        "pour l'Objet et à les protéger avec au moins le même soin que ses propres informations confidentielles.",
        "{R} ne peut les communiquer qu'à ses dirigeants, salariés et conseils qui en ont besoin pour l'Objet et qui "
        "sont tenus à une obligation de confidentialité équivalente.",
        "{R} informe sans délai {p} de toute utilisation ou divulgation non autorisée."),
    "nda_exclusions": fixed(
        "Exceptions",
        "Les obligations ci-dessus ne s'appliquent pas aux informations (a) tombées dans le domaine public sans "
        "faute {r_of}, (b) déjà connues {r_of} avant leur communication, (c) reçues licitement d'un tiers non tenu "
        "au secret, ou (d) développées de manière indépendante."),
    "nda_return": fixed(
        "Restitution",
        "À la demande écrite {p_of} et au plus tard à l'expiration du Contrat, {r} restitue ou détruit toutes les "
        "Informations Confidentielles et le confirme par écrit."),
    "nda_no_licence": fixed(
        "Absence de licence",
        "Les Informations Confidentielles demeurent la propriété {p_of}. Aucune licence ni aucun droit de propriété "
        "intellectuelle n'est concédé au titre du présent Contrat."),
    "orders": fixed(
        "Prévisions et commandes",
        "{R} communique chaque mois une prévision glissante et non contraignante sur douze mois.",
        "{P} accepte ou refuse chaque commande dans un délai de trois (3) jours ouvrés. Les commandes acceptées "
        "sont fermes et ne peuvent être modifiées que d'un commun accord."),
    "delivery": fixed(
        "Livraison et transfert des risques",
        "{P} livre les Produits DAP (Incoterms 2020) à l'adresse indiquée dans la commande, à la date de livraison "
        "confirmée.",
        "Le transfert des risques intervient à la livraison ; le transfert de propriété intervient au paiement "
        "complet du prix. En cas de retard de plus de cinq (5) jours ouvrés, {r} peut annuler la commande "
        "concernée."),
    "quality": fixed(
        "Qualité",
        "{P} maintient pendant toute la durée du Contrat un système de management de la qualité certifié ISO 9001.",
        "{R} contrôle les Produits dans les dix (10) jours ouvrés suivant la livraison et notifie par écrit les "
        "défauts apparents dans ce délai."),
    "grant": fixed(
        "Concession de licence",
        "Sous réserve du paiement de la redevance, {p} concède {r_to} une licence non exclusive et non cessible "
        "d'utilisation du logiciel pour ses besoins internes, dans la limite du nombre d'utilisateurs autorisés.",
        "Tous les droits non expressément concédés sont réservés {p_to}."),
    "restrictions": fixed(
        "Restrictions",
        "{R} s'interdit de sous-licencier, louer ou mettre le logiciel à la disposition de tiers, ainsi que de le "
        "décompiler, sauf dans les limites autorisées par la loi."),
    "support": fixed(
        "Assistance et mises à jour",
        "{P} assure une assistance de second niveau par courriel et par téléphone les jours ouvrés de 8 h à 18 h "
        "et fournit les mises à jour sans frais supplémentaires."),
    "independent": fixed(
        "Indépendance",
        "{P} exerce sa mission en toute indépendance. Le présent Contrat ne crée aucun lien de subordination ; {p} "
        "assume seul ses charges sociales et fiscales."),
    "confidentiality": fixed(
        "Confidentialité",
        "Chaque Partie s'engage à garder confidentielles les informations de l'autre Partie et à ne les utiliser "
        "que pour l'exécution du présent Contrat.",
        "Cette obligation ne s'applique pas aux informations publiques, déjà connues de la Partie qui les reçoit ou "
        "dont la communication est exigée par la loi."),
    "ip": fixed(
        "Propriété intellectuelle",
        "Chaque Partie conserve les droits de propriété intellectuelle qu'elle détenait avant l'entrée en vigueur "
        "du Contrat.",
        "Après complet paiement, {r} bénéficie d'un droit d'utilisation non exclusif et perpétuel des livrables "
        "pour ses besoins internes. Les outils, méthodes et savoir-faire généraux restent la propriété {p_of}."),
    "warranties": fixed(
        "Garantie",
        "{P} garantit la conformité des prestations et des produits aux spécifications convenues pendant douze (12) "
        "mois à compter de la livraison ou de la réception.",
        "Au titre de cette garantie, {r} peut exiger la reprise des prestations ou la réparation ou le remplacement "
        "des produits non conformes."),
    "liability": fixed(
        "Responsabilité",
        "Aucune Partie n'exclut sa responsabilité en cas de faute lourde ou dolosive, ni en cas de dommage corporel.",
        "Pour le surplus, la responsabilité de chaque Partie est limitée aux dommages directs et plafonnée au "
        "montant payé au titre du Contrat au cours des douze (12) derniers mois."),
    "data": fixed(
        "Protection des données",
        "Lorsque {p} traite des données à caractère personnel pour le compte {r_of}, il agit uniquement sur "
        "instruction documentée et conformément à l'article 28 du RGPD."),
    "termination": fixed(
        "Résiliation",
        "En cas de manquement grave de l'une des Parties non réparé dans un délai de trente (30) jours suivant une "
        "mise en demeure, l'autre Partie peut résilier le Contrat de plein droit par lettre recommandée avec accusé "
        "de réception.",
        "En cas de résiliation, {r} règle les prestations exécutées jusqu'à la date de résiliation."),
    "force_majeure": fixed(
        "Force majeure",
        "Aucune Partie n'est responsable d'un retard ou d'une inexécution résultant d'un cas de force majeure.",
        "Si l'empêchement dure plus de soixante (60) jours, chaque Partie peut résilier le Contrat par écrit."),
    "assignment": fixed(
        "Cession",
        "Aucune Partie ne peut céder le présent Contrat ou les droits et obligations qui en découlent sans l'accord "
        "écrit préalable de l'autre Partie."),
    "notices": fixed(
        "Notifications",
        "Toute notification est faite par écrit, par lettre recommandée avec accusé de réception ou par courriel "
        "avec confirmation de réception, à l'adresse indiquée en tête du Contrat."),
    "entire": fixed(
        "Dispositions générales",
        "Le présent Contrat et ses annexes expriment l'intégralité de l'accord des Parties sur son objet et "
        "remplacent tout accord antérieur.",
        "Toute modification requiert un avenant écrit signé par les deux Parties. La nullité d'une stipulation "
        "n'affecte pas la validité des autres."),
}

_PHRASES = {
    "reference": "Référence du contrat {reference}",
    "heading": "Article {n} - {heading}",
    "article": "Article {n} - {heading}",
    "sub": "{n}.{k}",
    "witness": "Fait en deux exemplaires originaux, chaque Partie reconnaissant en avoir reçu un.",
    "sign_for": "Pour", "sign_name": "Nom", "sign_title": "Qualité", "sign_date": "Date",
    "footer": "{title} | {reference} | Confidentiel",
    "page": "Page {n} sur {count}",
    "cover_parties": "Parties", "cover_party": "Partie", "cover_role": "Qualité", "cover_address": "Siège social",
    "cover_terms": "Conditions essentielles", "cover_effective": "Date d'entrée en vigueur",
    "cover_term": "Durée initiale", "cover_expiry": "Fin de la durée initiale", "cover_value": "Valeur du contrat",
    "cover_payment": "Conditions de paiement", "cover_renewal": "Reconduction", "cover_reference": "Référence",
    "not_stated": "Non précisé",
    "renewal_yes": "Tacite, sauf dénonciation {days} avant l'échéance",
    "renewal_no": "Pas de reconduction tacite",
    "cover_note": "Les Parties conviennent des conditions figurant dans les pages suivantes.",
    "letter_subject": "Objet : {title}",
    "letter_opening": "Madame, Monsieur,",
    "letter_intro": "Nous avons le plaisir de vous confirmer les conditions dans lesquelles {first} (ci-après "
                    "« {first_role} ») et {second} (ci-après « {second_role} ») collaboreront à compter du {date} "
                    "(la « Date d'entrée en vigueur »). La présente lettre constitue l'accord entre nous (le "
                    "« Contrat »).",
    "letter_terms": "Les Parties conviennent de ce qui suit :",
    "letter_closing": "Nous vous remercions de bien vouloir nous retourner un exemplaire de la présente lettre "
                      "revêtu de votre signature.",
    "letter_yours": "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    "letter_accept": "Lu et approuvé pour",
}

_PLAN = Plan(
    "Plan de déploiement",
    "Les Parties exécutent le présent Contrat selon les lots de travaux décrits ci-après. Le planning validé lors de "
    "la réunion de lancement fixe les dates de chaque lot.",
    "Lot {n} : {name}",
    ("Lancement et gouvernance", "Analyse des besoins", "Conception de la solution", "Migration des données",
     "Interfaces avec les systèmes existants", "Phase pilote", "Tests et assurance qualité",
     "Formation des utilisateurs clés", "Déploiement sur tous les sites", "Accompagnement au démarrage",
     "Transfert à l'exploitation", "Documentation", "Revue de sécurité", "Reporting", "Amélioration continue",
     "Revue annuelle"),
    ("{P} achève le lot « {name} » dans un délai de {weeks} semaines à compter de sa validation écrite par {r}.",
     "Les résultats du lot « {name} » font l'objet d'un rapport que {r} examine sous dix (10) jours ouvrés.",
     "{P} affecte au moins {people} personnes qualifiées au lot « {name} » et désigne un responsable.",
     "La réception du lot « {name} » est prononcée par écrit dès que les critères convenus sont remplis.",
     "Toute modification du périmètre du lot « {name} » suit exclusivement la procédure de gestion des changements.",
     "{R} fournit en temps utile les informations, accès et données de test nécessaires au lot « {name} ».",
     "L'avancement du lot « {name} » est présenté au comité de pilotage toutes les deux semaines, avec les risques, "
     "les points ouverts et les prochaines étapes.",
     "Tout retard du lot « {name} » imputable à un défaut de collaboration {r_of} prolonge d'autant les délais "
     "convenus."),
)

_SCHEDULES = ScheduleText(
    definitions_heading="Définitions et interprétation",
    definitions=(
        "« Affilié » désigne toute entité qui contrôle directement ou indirectement une Partie, est contrôlée par "
        "elle ou est placée sous un contrôle commun avec elle, le contrôle s'entendant de la détention de plus de "
        "cinquante pour cent (50 %) des droits de vote.",
        "« Annexe » désigne une annexe au présent Contrat, qui en fait partie intégrante.",
        "« Demande de modification » désigne une demande écrite de modification du périmètre, du calendrier ou des "
        "prix du présent Contrat selon la procédure de gestion des modifications.",
        "« Documentation » désigne les guides d'utilisation, spécifications et manuels d'exploitation que {p} met à "
        "disposition pour les Services ou les Produits.",
        "« Données personnelles » a le sens qui lui est donné par la réglementation applicable en matière de "
        "protection des données.",
        "« Droits de propriété intellectuelle » désigne les brevets, droits d'auteur, marques, dessins et modèles, "
        "droits sur les bases de données, savoir-faire et tous droits similaires dans le monde entier.",
        "« Incident » désigne tout événement qui interrompt ou dégrade, ou peut interrompre ou dégrader, les "
        "Services ou l'utilisation des Produits.",
        "« Informations confidentielles » désigne toute information communiquée par une Partie à l'autre, sous "
        "quelque forme que ce soit, qui est signalée comme confidentielle ou dont le caractère confidentiel est "
        "évident.",
        "« Jalon » désigne un événement ou une date auquel un Livrable ou un lot de travaux doit être achevé, tel "
        "que prévu dans le Plan de déploiement.",
        "« Jour ouvré » désigne tout jour autre qu'un samedi, un dimanche ou un jour férié au lieu du siège social "
        "{p_of}.",
        "« Liste de prix » désigne les prix figurant dans l'annexe du même nom, tels qu'ajustés conformément au "
        "présent Contrat.",
        "« Livrables » désigne l'ensemble des documents, logiciels, rapports, biens et autres éléments que {p} "
        "remet {r_to} au titre du présent Contrat.",
        "« Niveaux de service » désigne les normes de performance fixées dans l'annexe du même nom.",
        "« Pénalité de service » désigne la réduction de la Rémunération applicable lorsqu'un Niveau de service "
        "n'est pas atteint.",
        "« Personnel clé » désigne les personnes que {p} désigne comme essentielles à l'exécution du présent "
        "Contrat.",
        "« Règles de l'art » désigne le niveau de compétence, de soin et de prévoyance que l'on peut "
        "raisonnablement attendre d'un prestataire expérimenté de services ou produits similaires.",
        "« Réglementation applicable » désigne l'ensemble des lois, règlements, codes de conduite contraignants et "
        "décisions des autorités compétentes applicables à une Partie ou à l'exécution du présent Contrat.",
        "« Rémunération » désigne les redevances et prix dus par {r} au titre du présent Contrat, tels que fixés "
        "dans la Liste de prix."),
    interpretation=(
        "Les titres n'ont qu'une valeur indicative et n'affectent pas l'interprétation du présent Contrat ; le "
        "singulier inclut le pluriel et inversement ; les termes « notamment » et « y compris » introduisent des "
        "exemples non limitatifs.",
        "En cas de contradiction entre un article du présent Contrat et une Annexe, l'article prévaut, sauf si "
        "l'Annexe mentionne expressément l'article auquel elle déroge."),
    schedules_heading="Annexes",
    schedules_intro="Les Annexes suivantes font partie intégrante du présent Contrat : {names}.",
    schedules_review="Les Parties réexaminent les Annexes au moins une fois par an. Une Annexe ne peut être "
                     "modifiée que par une Demande de modification signée par les deux Parties.",
    schedule="Annexe {n} : {name}",
    names={"service_levels": "Niveaux de service", "escalation": "Procédure d'escalade",
           "price_list": "Liste de prix", "plan": "Plan de déploiement"},
    intros={
        "service_levels": "{P} respecte chaque mois civil les Niveaux de service suivants. Les mesures sont "
                          "effectuées par {p} et communiquées {r_to} dans le rapport de service mensuel. Les "
                          "pénalités de service sont déduites de la facture suivante.",
        "escalation": "Les difficultés et différends qui ne peuvent être résolus au niveau opérationnel sont "
                      "escaladés comme suit. Chaque niveau se réunit dans le délai de réponse indiqué avant que le "
                      "niveau suivant ne soit saisi.",
        "price_list": "Les prix suivants s'appliquent à compter de la Date d'entrée en vigueur, hors TVA. Ils sont "
                      "fermes pendant les douze (12) premiers mois et peuvent ensuite être révisés une fois par an "
                      "moyennant un préavis écrit de trois (3) mois.",
        "plan": "Les Parties exécutent le présent Contrat selon les lots de travaux décrits dans la présente Annexe. "
                "Le planning validé lors de la réunion de lancement fixe les dates de chaque lot."},
    service_level_columns=("Service", "Indicateur", "Objectif", "Pénalité de service"),
    service_levels={
        "availability": ("Service de production", "Disponibilité mensuelle", "99,5 %",
                         "2 % de la redevance mensuelle par tranche de 0,5 % sous l'objectif"),
        "p1_response": ("Incident de priorité 1", "Délai de prise en charge", "30 minutes",
                        "1 % de la redevance mensuelle par heure de retard"),
        "p1_resolution": ("Incident de priorité 1", "Résolution ou contournement", "4 heures",
                          "2 % de la redevance mensuelle par heure de retard"),
        "p2_response": ("Incident de priorité 2", "Délai de prise en charge", "2 heures",
                        "0,5 % de la redevance mensuelle par manquement"),
        "p2_resolution": ("Incident de priorité 2", "Résolution ou contournement", "1 jour ouvré",
                          "1 % de la redevance mensuelle par manquement"),
        "p3_resolution": ("Incident de priorité 3", "Résolution", "5 jours ouvrés", "aucune ; rapport mensuel"),
        "service_desk": ("Centre de services", "Appels décrochés en moins de 60 secondes", "90 %",
                         "aucune ; rapport mensuel"),
        "delivery": ("Livraisons", "Livrées complètes à la date confirmée", "98 %",
                     "1 % de la valeur de la livraison en retard par jour"),
        "confirmation": ("Confirmation de commande", "Commandes confirmées sous 3 jours ouvrés", "99 %",
                         "aucune ; rapport mensuel"),
        "quality": ("Qualité", "Pièces défectueuses par million", "moins de 500", "remplacement gratuit"),
        "reporting": ("Reporting", "Rapport de service mensuel remis", "au plus tard le 10e jour ouvré", "aucune"),
        "satisfaction": ("Satisfaction", "Enquête annuelle auprès des utilisateurs", "au moins 4 sur 5",
                         "plan d'amélioration sous 30 jours")},
    escalation_columns=("Niveau", "Délai de réponse"),
    escalation=(("Centre de services", "Support informatique", "4 heures"),
                ("Responsable de service", "Gestionnaire du contrat", "2 jours ouvrés"),
                ("Directeur de compte", "Chef de département", "5 jours ouvrés"),
                ("Sponsor exécutif", "Sponsor exécutif", "10 jours ouvrés")),
    price_columns=("Référence", "Désignation", "Unité", "Prix unitaire HT ({currency})"),
    lump="forfait",
    model="type {code}",
    final="Dispositions finales",
)

TEXT = ContractText(
    titles={"master_services": ("Contrat-cadre de prestation de services",),
            "non_disclosure": ("Accord de confidentialité", "Engagement de confidentialité"),
            "supply": ("Contrat de fourniture", "Contrat-cadre de fourniture"),
            "license": ("Contrat de licence de logiciel", "Contrat de licence d'utilisation"),
            "consulting": ("Contrat de conseil", "Contrat de prestation de conseil")},
    roles={"master_services": (role_fr("Prestataire"), role_fr("Client")),
           "non_disclosure": (role_fr("Partie Divulgatrice", feminine=True),
                              role_fr("Partie Réceptrice", feminine=True)),
           "supply": (role_fr("Fournisseur"), role_fr("Acheteur")),
           "license": (role_fr("Concédant"), role_fr("Licencié")),
           "consulting": (role_fr("Consultant"), role_fr("Client"))},
    job_titles=(("Président", "Présidente"), ("Directeur général", "Directrice générale"),
                ("Directeur financier", "Directrice financière"), ("Directeur juridique", "Directrice juridique"),
                ("Responsable des achats", "Responsable des achats"), ("Gérant", "Gérante"),
                ("Directeur des opérations", "Directrice des opérations")),
    payment_terms=("à 30 jours à compter de la date de facture", "à 45 jours fin de mois",
                   "à 60 jours à compter de la date de facture", "à réception de facture, au plus tard sous 30 jours"),
    clauses=_CLAUSES,
    phrases=_PHRASES,
    plan=_PLAN,
    schedules=_SCHEDULES,
    preamble=_preamble,
    months=lambda n: f"{n} mois",
    days=lambda n: f"{n} jours",
)
