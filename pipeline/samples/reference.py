"""Reference data the generator draws from: countries, companies, what they sell, people's names.

Every string is Latin-1: the base-14 PDF fonts draw nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

Colour = tuple[float, float, float]
EU = frozenset({"AT", "BE", "DE", "ES", "FR", "IE", "IT", "NL", "SE"})
LANGUAGES = ("en", "de", "fr", "es")
"""Languages documents are written in; English is written by every company."""


@dataclass(frozen=True)
class Country:
    currency: str
    tax_rate: Decimal  # standard rate in percent, charged on domestic sales
    number_style: str  # key of locales.SEPARATORS
    date_style: str  # key of locales.DATE_STYLES
    paper: str = "a4"  # PyMuPDF paper name


COUNTRIES = {
    "DE": Country("EUR", Decimal("19"), "de", "dmy."),
    "AT": Country("EUR", Decimal("20"), "de", "dmy."),
    "CH": Country("CHF", Decimal("8.1"), "ch", "dmy."),
    "FR": Country("EUR", Decimal("20"), "fr", "dmy/"),
    "BE": Country("EUR", Decimal("21"), "de", "dmy/"),
    "NL": Country("EUR", Decimal("21"), "de", "dmy-"),
    "ES": Country("EUR", Decimal("21"), "de", "dmy/"),
    "IT": Country("EUR", Decimal("22"), "de", "dmy/"),
    "IE": Country("EUR", Decimal("23"), "en", "d month y"),
    "GB": Country("GBP", Decimal("20"), "en", "d month y"),
    "SE": Country("SEK", Decimal("25"), "fr", "iso"),
    "US": Country("USD", Decimal("8.25"), "en", "month d, y", "letter"),
    "MX": Country("MXN", Decimal("16"), "en", "dmy/", "letter"),
}


@dataclass(frozen=True)
class Company:
    name: str
    street: str
    city: str
    postal_code: str
    country: str
    tax_id: str | None  # exactly as printed
    web: str
    phone: str
    register: str  # company-register line of the invoice footer
    invoice_number: str  # str.format pattern: y = year, n = sequence number
    categories: tuple[str, ...]  # what it sells: keys of CATALOG
    law: str  # governing law of its contracts, as recorded (keys of locales.JURISDICTIONS)
    bank: str
    bic: str
    bban: str | None  # None where the bank has no IBAN (US, MX)
    account: str = ""  # domestic account line, printed where there is no IBAN
    region: str = ""  # US state or Mexican state, printed after the city
    colour: Colour = (0.12, 0.3, 0.55)
    language: str = "en"  # the language it writes besides English


COMPANIES = (
    Company("Nordlicht Software GmbH", "Friedrichstraße 68", "Berlin", "10117", "DE", "DE298143657",
            "nordlicht-software.de", "+49 30 2084 1190", "Amtsgericht Charlottenburg HRB 187234 B",
            "RE-{y}-{n:05d}", ("it",), "Germany", "Berliner Volksbank", "BEVODEBBXXX", "100900002741853006",
            colour=(0.05, 0.36, 0.55), language="de"),
    Company("Bergmann & Söhne Maschinenbau GmbH", "Industriestraße 14", "Stuttgart", "70565", "DE",
            "DE147258369", "bergmann-soehne.de", "+49 711 7820 400", "Amtsgericht Stuttgart HRB 724519",
            "{y}{n:06d}", ("industrial",), "Germany", "BW-Bank", "SOLADEST600", "600501010004027581",
            colour=(0.55, 0.1, 0.1), language="de"),
    Company("Thornbury Analytics Ltd", "48 Great Eastern Street", "London", "EC2A 3EP", "GB", "GB 284 5519 07",
            "thornbury-analytics.co.uk", "+44 20 7946 0321", "Registered in England and Wales No. 09182736",
            "TA-{n:05d}", ("it", "consulting"), "England and Wales", "Barclays Bank UK PLC", "BUKBGB22",
            "BARC20325373195628", colour=(0.2, 0.2, 0.45)),
    Company("Kestrel Print & Packaging Ltd", "Unit 7, Trafford Park Road", "Manchester", "M17 1HG", "GB",
            "GB 917 3342 18", "kestrelprint.co.uk", "+44 161 496 0788",
            "Registered in England and Wales No. 04417265", "INV{n:06d}", ("print",), "England and Wales",
            "NatWest", "NWBKGB2L", "NWBK60161331926819", colour=(0.1, 0.45, 0.3)),
    Company("Cascade Cloud Systems Inc.", "1200 Fifth Avenue, Suite 800", "Seattle", "98101", "US", "91-2841937",
            "cascadecloud.com", "+1 206 555 0147", "A Delaware corporation", "CCS-{y}-{n:04d}", ("it",),
            "Washington", "JPMorgan Chase Bank, N.A.", "CHASUS33", None,
            "ABA routing 325070760 | Account 000123987654", "WA", (0.0, 0.45, 0.6)),
    Company("Hudson Office Supply LLC", "350 Hudson Street", "New York", "10014", "US", "13-4928371",
            "hudsonofficesupply.com", "+1 212 555 0193", "A New York limited liability company", "HOS{n:06d}",
            ("office",), "New York", "Citibank, N.A.", "CITIUS33", None,
            "ABA routing 021000089 | Account 4987123455", "NY", (0.35, 0.2, 0.5)),
    Company("Atelier Lumière SARL", "12 Rue de la Roquette", "Paris", "75011", "FR", "FR 42 832145697",
            "atelier-lumiere.fr", "+33 1 43 55 72 10", "RCS Paris 832 145 697", "F{y}-{n:04d}", ("design", "print"),
            "France", "BNP Paribas", "BNPAFRPPXXX", "30004008230001234567897", colour=(0.6, 0.3, 0.1),
            language="fr"),
    Company("Transports Garnier SAS", "48 Avenue Jean Jaurès", "Lyon", "69007", "FR", "FR 61 489327015",
            "transports-garnier.fr", "+33 4 72 55 18 40", "RCS Lyon 489 327 015", "TG{y}-{n:05d}", ("logistics",),
            "France", "Crédit Agricole", "AGRIFRPP878", "17806003210004567812345", colour=(0.1, 0.25, 0.5),
            language="fr"),
    Company("Van der Berg Logistics B.V.", "Keizersgracht 221", "Amsterdam", "1016 DV", "NL", "NL858294731B01",
            "vdberg-logistics.nl", "+31 20 794 1122", "KvK 34291877", "VDB{y}{n:05d}", ("logistics",),
            "Netherlands", "ABN AMRO Bank N.V.", "ABNANL2A", "ABNA0417164300", colour=(0.85, 0.4, 0.0)),
    Company("Alpenblick Consulting AG", "Bahnhofstrasse 42", "Zürich", "8001", "CH", "CHE-109.322.551 MWST",
            "alpenblick.ch", "+41 44 552 18 90", "Handelsregister des Kantons Zürich CHE-109.322.551",
            "AB-{y}-{n:04d}", ("consulting",), "Switzerland", "UBS Switzerland AG", "UBSWCHZH80A",
            "00762011623852957", colour=(0.7, 0.05, 0.15), language="de"),
    Company("Grenchner Präzision AG", "Industriestrasse 7", "Grenchen", "2540", "CH", "CHE-114.608.273 MWST",
            "grenchner-praezision.ch", "+41 32 555 40 60", "Handelsregister des Kantons Solothurn CHE-114.608.273",
            "{y}-{n:04d}", ("industrial",), "Switzerland", "Credit Suisse (Schweiz) AG", "CRESCHZZ80A",
            "04835012345678100", colour=(0.45, 0.45, 0.5), language="de"),
    Company("Léman Logiciels SA", "Rue du Rhône 42", "Genève", "1204", "CH", "CHE-287.431.905 TVA",
            "leman-logiciels.ch", "+41 22 555 31 70", "Registre du commerce de Genève CHE-287.431.905",
            "LL-{y}-{n:04d}", ("it", "consulting"), "Switzerland", "Banque Cantonale de Genève", "BCGECHGGXXX",
            "00788000050123456", colour=(0.1, 0.35, 0.6), language="fr"),
    Company("Liffey Data Services Ltd", "27 Fitzwilliam Square", "Dublin", "D02 T292", "IE", "IE 6388047V",
            "liffeydata.ie", "+353 1 555 0432", "Registered in Ireland No. 612093", "LDS-{n:05d}",
            ("it", "consulting"), "Ireland", "Bank of Ireland", "BOFIIE2D", "BOFI90001712345678",
            colour=(0.0, 0.5, 0.35)),
    Company("Danubia Components GmbH", "Mariahilfer Straße 88", "Wien", "1070", "AT", "ATU61953478",
            "danubia-components.at", "+43 1 524 33 70", "FN 318842 g, Handelsgericht Wien", "{y}/{n:05d}",
            ("industrial",), "Austria", "Erste Bank", "GIBAATWWXXX", "2011182221219800",
            colour=(0.25, 0.35, 0.4), language="de"),
    Company("Iberia Solar S.L.", "Calle de Alcalá 145", "Madrid", "28009", "ES", "ESB86512347",
            "iberiasolar.es", "+34 915 55 20 18", "Registro Mercantil de Madrid, Tomo 31544, Hoja M-567812",
            "FAC-{y}-{n:04d}", ("solar",), "Spain", "Banco Santander", "BSCHESMMXXX", "00491500051234567892",
            colour=(0.9, 0.55, 0.0), language="es"),
    Company("Soluciones Informáticas Turia S.L.", "Avenida del Puerto 112", "Valencia", "46023", "ES",
            "ESB98765432", "turia-informatica.es", "+34 963 55 81 20",
            "Registro Mercantil de Valencia, Tomo 10432, Hoja V-182734", "T{y}/{n:04d}", ("it", "consulting"),
            "Spain", "CaixaBank", "CAIXESBBXXX", "21000418450200051332", colour=(0.0, 0.4, 0.45), language="es"),
    Company("Grupo Logístico del Pacífico S.A. de C.V.", "Av. Vallarta 3233", "Guadalajara", "44110", "MX",
            "GLP0503158K2", "glpacifico.com.mx", "+52 33 5555 0182", "Sociedad anónima de capital variable",
            "A-{n:05d}", ("logistics", "office"), "Mexico", "BBVA México", "BCMRMXMM", None,
            "CLABE 012320001234567891", "Jal.", (0.1, 0.4, 0.2), language="es"),
    Company("Milano Design S.r.l.", "Via Torino 61", "Milano", "20123", "IT", "IT07643520567",
            "milanodesign.it", "+39 02 8723 4410", "REA MI-1972410", "{n:04d}/{y}", ("design", "office"),
            "Italy", "Intesa Sanpaolo", "BCITITMM", "X0306909606100000063542", colour=(0.15, 0.15, 0.15)),
    Company("Scandic Print AB", "Sveavägen 44", "Stockholm", "111 34", "SE", "SE556677889901",
            "scandicprint.se", "+46 8 555 213 40", "Org.nr 556677-8899", "{y}{n:05d}", ("print",), "Sweden", "SEB",
            "ESSESESS", "50000000058398257466", colour=(0.0, 0.3, 0.6)),
    Company("Brabant Facility Services NV", "Meir 48", "Antwerpen", "2000", "BE", "BE0412345678",
            "brabantfacility.be", "+32 3 555 71 20", "RPR Antwerpen 0412.345.678", "BFS-{y}-{n:05d}",
            ("facility",), "Belgium", "KBC Bank", "KREDBEBB", "734019872310", colour=(0.3, 0.5, 0.2)),
    Company("Bureautique Meuse SA", "Rue Léopold 27", "Liège", "4000", "BE", "BE0654321987",
            "bureautique-meuse.be", "+32 4 555 62 30", "RPM Liège 0654.321.987", "BM{y}-{n:04d}",
            ("office", "facility"), "Belgium", "Belfius Banque", "GKCCBEBB", "068212345679",
            colour=(0.5, 0.15, 0.35), language="fr"),
)


def company(name: str) -> Company:
    """The company with this exact name."""
    return next(c for c in COMPANIES if c.name == name)


def writers_of(language: str) -> list[Company]:
    """Companies that write documents in `language`: everyone writes English, others their own language."""
    return [c for c in COMPANIES if language in ("en", c.language)]


@dataclass(frozen=True)
class Item:
    texts: tuple[str, str, str, str]  # in LANGUAGES order; may use {period}, {sku} and {week}
    unit: str  # key of locales.UNITS
    low: int  # unit price range in cents (lump-sum lines: amount range)
    high: int
    quantity: str  # "int" | "half" (steps of 0.5) | "one" | "lump" (no quantity or unit price)
    most: int = 1  # largest quantity
    step: int = 1  # unit prices are multiples of this many cents

    def text(self, language: str) -> str:
        return self.texts[LANGUAGES.index(language)]


_EXPRESS = Item(("Express delivery surcharge", "Expresszuschlag", "Supplément livraison express",
                 "Recargo por entrega urgente"), "", 4500, 35000, "lump")

CATALOG: dict[str, tuple[Item, ...]] = {
    "it": (
        Item(("Software development, senior engineer (CW {week})", "Softwareentwicklung, Senior Engineer (KW {week})",
              "Développement logiciel, ingénieur senior (sem. {week})",
              "Desarrollo de software, ingeniero sénior (sem. {week})"), "h", 9500, 16500, "half", 40, 500),
        Item(("Project management (CW {week})", "Projektmanagement (KW {week})", "Gestion de projet (sem. {week})",
              "Gestión de proyecto (sem. {week})"), "h", 8500, 14000, "half", 16, 500),
        Item(("Cloud hosting, production cluster ({period})", "Cloud-Hosting, Produktionscluster ({period})",
              "Hébergement cloud, cluster de production ({period})",
              "Alojamiento en la nube, clúster de producción ({period})"), "month", 40000, 480000, "one"),
        Item(("Managed backup service ({period})", "Managed-Backup-Service ({period})",
              "Service de sauvegarde géré ({period})", "Servicio de copias de seguridad gestionado ({period})"),
             "month", 9000, 60000, "one", step=100),
        Item(("Analytics Pro licence, per seat ({period})", "Analytics Pro Lizenz, je Nutzer ({period})",
              "Licence Analytics Pro, par utilisateur ({period})", "Licencia Analytics Pro, por usuario ({period})"),
             "seat", 2500, 12000, "int", 250, 100),
        Item(("Support & maintenance ({period})", "Support und Wartung ({period})",
              "Support et maintenance ({period})", "Soporte y mantenimiento ({period})"),
             "month", 25000, 250000, "one", step=100),
        Item(("Laptop 14in, 32 GB RAM, 1 TB SSD (art. {sku})", "Notebook 14 Zoll, 32 GB RAM, 1 TB SSD (Art.-Nr. {sku})",
              "Ordinateur portable 14 pouces, 32 Go RAM, SSD 1 To (réf. {sku})",
              "Portátil 14 pulgadas, 32 GB RAM, SSD 1 TB (ref. {sku})"), "pcs", 110000, 230000, "int", 20, 100),
        Item(("USB-C docking station (art. {sku})", "USB-C-Dockingstation (Art.-Nr. {sku})",
              "Station d'accueil USB-C (réf. {sku})", "Estación de acoplamiento USB-C (ref. {sku})"),
             "pcs", 12000, 29000, "int", 25),
    ),
    "consulting": (
        Item(("Consulting, data strategy (CW {week})", "Beratung Datenstrategie (KW {week})",
              "Conseil en stratégie des données (sem. {week})", "Consultoría en estrategia de datos (sem. {week})"),
             "day", 120000, 220000, "half", 10, 5000),
        Item(("Workshop facilitation", "Moderation Workshop", "Animation d'atelier", "Moderación de taller"),
             "day", 90000, 160000, "half", 4, 5000),
        Item(("Process analysis, senior consultant (CW {week})", "Prozessanalyse, Senior Consultant (KW {week})",
              "Analyse des processus, consultant senior (sem. {week})",
              "Análisis de procesos, consultor sénior (sem. {week})"), "h", 14000, 26000, "half", 40, 500),
        Item(("Travel expenses as incurred ({period})", "Reisekosten nach Aufwand ({period})",
              "Frais de déplacement au réel ({period})", "Gastos de viaje según justificante ({period})"),
             "", 18000, 240000, "lump"),
    ),
    "office": (
        Item(("Office chair, ergonomic (art. {sku})", "Bürostuhl, ergonomisch (Art.-Nr. {sku})",
              "Fauteuil de bureau ergonomique (réf. {sku})", "Silla de oficina ergonómica (ref. {sku})"),
             "pcs", 18000, 65000, "int", 30),
        Item(("Printer toner cartridge, black (art. {sku})", "Tonerkartusche schwarz (Art.-Nr. {sku})",
              "Cartouche de toner noir (réf. {sku})", "Cartucho de tóner negro (ref. {sku})"),
             "pcs", 3500, 14000, "int", 60),
        Item(("Copy paper A4, 80 g/m2, box of 2500 (art. {sku})",
              "Kopierpapier A4, 80 g/m2, Karton à 2500 Blatt (Art.-Nr. {sku})",
              "Papier copieur A4, 80 g/m2, carton de 2500 (réf. {sku})",
              "Papel de copia A4, 80 g/m2, caja de 2500 (ref. {sku})"), "box", 1800, 3200, "int", 80),
        Item(("27in monitor, 4K (art. {sku})", "Monitor 27 Zoll, 4K (Art.-Nr. {sku})",
              "Écran 27 pouces, 4K (réf. {sku})", "Monitor de 27 pulgadas, 4K (ref. {sku})"),
             "pcs", 26000, 52000, "int", 20),
        Item(("Height-adjustable desk 160x80 (art. {sku})", "Höhenverstellbarer Schreibtisch 160x80 (Art.-Nr. {sku})",
              "Bureau réglable en hauteur 160x80 (réf. {sku})", "Mesa regulable en altura 160x80 (ref. {sku})"),
             "pcs", 42000, 98000, "int", 12),
        Item(("Delivery and assembly", "Lieferung und Montage", "Livraison et montage", "Entrega y montaje"),
             "", 4500, 38000, "lump"),
    ),
    "industrial": (
        Item(("Hydraulic cylinder HZ-40 (art. {sku})", "Hydraulikzylinder HZ-40 (Art.-Nr. {sku})",
              "Vérin hydraulique HZ-40 (réf. {sku})", "Cilindro hidráulico HZ-40 (ref. {sku})"),
             "pcs", 24000, 89000, "int", 40),
        Item(("Steel flange DN100 PN16 (art. {sku})", "Stahlflansch DN100 PN16 (Art.-Nr. {sku})",
              "Bride acier DN100 PN16 (réf. {sku})", "Brida de acero DN100 PN16 (ref. {sku})"),
             "pcs", 1200, 4800, "int", 400),
        Item(("Sensor cable M12, 5 m (art. {sku})", "Sensorkabel M12, 5 m (Art.-Nr. {sku})",
              "Câble capteur M12, 5 m (réf. {sku})", "Cable de sensor M12, 5 m (ref. {sku})"),
             "pcs", 900, 2600, "int", 300),
        Item(("Servo motor 1.5 kW (art. {sku})", "Servomotor 1,5 kW (Art.-Nr. {sku})",
              "Servomoteur 1,5 kW (réf. {sku})", "Servomotor 1,5 kW (ref. {sku})"), "pcs", 65000, 180000, "int", 10),
        Item(("On-site installation and commissioning", "Montage und Inbetriebnahme vor Ort",
              "Installation et mise en service sur site", "Instalación y puesta en marcha in situ"),
             "", 80000, 600000, "lump"),
        _EXPRESS,
    ),
    "print": (
        Item(("Brochure A4, 16 pages, 4/4 colour (job {sku})", "Broschüre A4, 16 Seiten, 4/4-farbig (Auftrag {sku})",
              "Brochure A4, 16 pages, quadri recto verso (travail {sku})",
              "Folleto A4, 16 páginas, 4/4 tintas (trabajo {sku})"), "pcs", 45, 190, "int", 5000),
        Item(("Business cards, 400 g/m2 (job {sku})", "Visitenkarten, 400 g/m2 (Auftrag {sku})",
              "Cartes de visite, 400 g/m2 (travail {sku})", "Tarjetas de visita, 400 g/m2 (trabajo {sku})"),
             "box", 1900, 4500, "int", 40),
        Item(("Poster A1, matt (job {sku})", "Plakat A1, matt (Auftrag {sku})", "Affiche A1, mate (travail {sku})",
              "Póster A1, mate (trabajo {sku})"), "pcs", 900, 2800, "int", 200),
        Item(("Prepress and proofing", "Druckvorstufe und Proof", "Prépresse et épreuves", "Preimpresión y pruebas"),
             "h", 6500, 11000, "half", 12, 500),
        Item(("Courier delivery", "Kurierzustellung", "Livraison par coursier", "Entrega por mensajería"),
             "", 2500, 18000, "lump"),
    ),
    "logistics": (
        Item(("Pallet freight, domestic (ref. {sku})", "Palettenfracht national (Ref. {sku})",
              "Fret palette national (réf. {sku})", "Transporte de palés nacional (ref. {sku})"),
             "pallet", 4500, 16000, "int", 24),
        Item(("Warehouse storage, pallet spaces ({period})", "Lagerung, Palettenstellplätze ({period})",
              "Stockage en entrepôt, emplacements palettes ({period})", "Almacenaje, plazas de palé ({period})"),
             "space", 900, 2400, "int", 300, 50),
        Item(("Forklift rental ({period})", "Gabelstaplermiete ({period})", "Location de chariot élévateur ({period})",
              "Alquiler de carretilla elevadora ({period})"), "day", 9500, 18000, "int", 20, 500),
        Item(("Customs clearance (ref. {sku})", "Zollabfertigung (Ref. {sku})", "Dédouanement (réf. {sku})",
              "Despacho de aduanas (ref. {sku})"), "", 8500, 45000, "lump"),
        _EXPRESS,
    ),
    "solar": (
        Item(("Solar panel 430 W, monocrystalline (art. {sku})", "Solarmodul 430 W, monokristallin (Art.-Nr. {sku})",
              "Panneau solaire 430 W, monocristallin (réf. {sku})", "Panel solar 430 W, monocristalino (ref. {sku})"),
             "pcs", 14000, 26000, "int", 120),
        Item(("Inverter 10 kW, three-phase (art. {sku})", "Wechselrichter 10 kW, dreiphasig (Art.-Nr. {sku})",
              "Onduleur 10 kW, triphasé (réf. {sku})", "Inversor 10 kW, trifásico (ref. {sku})"),
             "pcs", 120000, 260000, "int", 6),
        Item(("Roof mounting kit (art. {sku})", "Dachmontageset (Art.-Nr. {sku})",
              "Kit de montage en toiture (réf. {sku})", "Kit de montaje en cubierta (ref. {sku})"),
             "set", 3500, 9000, "int", 120),
        Item(("Installation and grid connection", "Installation und Netzanschluss",
              "Installation et raccordement au réseau", "Instalación y conexión a red"), "", 150000, 900000, "lump"),
    ),
    "facility": (
        Item(("Office cleaning, daily ({period})", "Büroreinigung, täglich ({period})",
              "Nettoyage des bureaux, quotidien ({period})", "Limpieza de oficinas, diaria ({period})"),
             "month", 120000, 640000, "one", step=100),
        Item(("Window cleaning, all floors", "Fensterreinigung, alle Etagen", "Nettoyage des vitres, tous les étages",
              "Limpieza de cristales, todas las plantas"), "", 45000, 220000, "lump"),
        Item(("Technical maintenance (CW {week})", "Technische Wartung (KW {week})",
              "Maintenance technique (sem. {week})", "Mantenimiento técnico (sem. {week})"),
             "h", 5500, 9500, "half", 30, 500),
        Item(("Hygiene consumables (art. {sku})", "Hygieneverbrauchsmaterial (Art.-Nr. {sku})",
              "Consommables d'hygiène (réf. {sku})", "Consumibles de higiene (ref. {sku})"),
             "box", 1500, 6000, "int", 80),
    ),
    "design": (
        Item(("Brand identity design (CW {week})", "Corporate-Design-Entwicklung (KW {week})",
              "Création d'identité de marque (sem. {week})", "Diseño de identidad de marca (sem. {week})"),
             "h", 8500, 15000, "half", 40, 500),
        Item(("Photo shoot, product range", "Fotoshooting Produktsortiment", "Séance photo, gamme de produits",
              "Sesión fotográfica, gama de productos"), "day", 120000, 240000, "half", 3, 5000),
        Item(("Print layout, annual report ({period})", "Drucklayout Geschäftsbericht ({period})",
              "Mise en page, rapport annuel ({period})", "Maquetación, informe anual ({period})"),
             "", 150000, 600000, "lump"),
        Item(("Illustration licence, single use (ref. {sku})", "Illustrationslizenz, einmalige Nutzung (Ref. {sku})",
              "Licence d'illustration, usage unique (réf. {sku})", "Licencia de ilustración, uso único (ref. {sku})"),
             "pcs", 15000, 60000, "int", 6),
    ),
}

FIRST_NAMES = {
    "de": ("Anna", "Jürgen", "Katrin", "Matthias", "Sabine", "Tobias", "Lena", "Stefan"),
    "en": ("Oliver", "Charlotte", "James", "Amelia", "Harry", "Sophie", "Siobhan", "Ciarán"),
    "us": ("Michael", "Jennifer", "David", "Ashley", "Brian", "Megan", "Carlos", "Priya"),
    "fr": ("Camille", "Julien", "Élodie", "Mathieu", "Chloé", "Antoine", "Léa", "Nicolas"),
    "nl": ("Sanne", "Daan", "Lotte", "Jeroen", "Femke", "Bram"),
    "es": ("Lucía", "Javier", "Marta", "Alejandro", "Carmen", "Pablo", "Ximena", "Rodrigo"),
    "it": ("Giulia", "Marco", "Francesca", "Lorenzo", "Chiara", "Matteo"),
    "se": ("Erik", "Ingrid", "Lars", "Maja", "Johan", "Astrid"),
}
LAST_NAMES = {
    "de": ("Hoffmann", "Schäfer", "Becker", "Wagner", "Krüger", "Neumann", "Fischer", "Vogel"),
    "en": ("Whitfield", "Patel", "O'Connor", "Hughes", "Bennett", "Clarke", "Murphy", "Doyle"),
    "us": ("Johnson", "Nguyen", "Rodriguez", "Miller", "Thompson", "Garcia", "Kim", "Walker"),
    "fr": ("Dubois", "Lefèvre", "Moreau", "Girard", "Laurent", "Fontaine", "Rousseau", "Peeters"),
    "nl": ("de Vries", "van Dijk", "Bakker", "Jansen", "Visser", "Smit"),
    "es": ("García López", "Fernández", "Martínez", "Sánchez Ruiz", "Navarro", "Torres", "Hernández"),
    "it": ("Rossi", "Bianchi", "Romano", "Colombo", "Ferrari", "Esposito"),
    "se": ("Lindqvist", "Andersson", "Berg", "Nyström", "Sjöberg", "Holm"),
}
FEMALE_NAMES = frozenset({"Anna", "Katrin", "Sabine", "Lena", "Charlotte", "Amelia", "Sophie", "Siobhan", "Jennifer",
                          "Ashley", "Megan", "Priya", "Camille", "Élodie", "Chloé", "Léa", "Sanne", "Lotte", "Femke",
                          "Lucía", "Marta", "Carmen", "Ximena", "Giulia", "Francesca", "Chiara", "Ingrid", "Maja",
                          "Astrid"})
"""First names of women, so that job titles agree with them ("Directrice", "Geschäftsführerin")."""
_NAME_POOL = {"DE": "de", "AT": "de", "CH": "de", "GB": "en", "IE": "en", "US": "us", "FR": "fr", "BE": "nl",
              "NL": "nl", "ES": "es", "MX": "es", "IT": "it", "SE": "se"}


def name_pool(company: Company) -> str:
    """Key of FIRST_NAMES / LAST_NAMES for the people working at `company`."""
    return "fr" if company.language == "fr" else _NAME_POOL[company.country]
