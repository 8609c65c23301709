"""Synthetic invoices and contracts with ground truth, for the demo, the tests and the benchmarks.

Records come first: `invoice_record` and `contract_record` return dicts that are valid under
schemas/invoice.json and schemas/contract.json and internally consistent. The renderers draw a
record as a born-digital PDF with PyMuPDF; `scan_pdf`, `photo_jpeg` and `multipage_tiff` turn a
PDF into what an office scanner or a phone would deliver. `write_starter_set` writes the
committed sample_docs/ set, `write_batch` a reproducible benchmark batch.

Output is a pure function of the record and the seed: the same inputs give the same bytes with
the same PyMuPDF, Pillow and zlib builds. The one exception is the AES-256 `bad/encrypted.pdf`,
whose salts and IVs MuPDF draws from the OS (see `_write_encrypted`).

Regenerate the starter set with `python -m pipeline.samples starter sample_docs`.
"""

from __future__ import annotations

import argparse
import calendar
import functools
import hashlib
import io
import json
import math
import random
import statistics
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pymupdf
from PIL import Image, ImageChops, ImageDraw, ImageFilter

CENT = Decimal("0.01")
ENCRYPTED_PASSWORD = "docintel"
"""User password of sample_docs/bad/encrypted.pdf."""

_Colour = tuple[float, float, float]
_INK: _Colour = (0.13, 0.13, 0.15)
_GREY: _Colour = (0.42, 0.42, 0.45)
_RULE: _Colour = (0.82, 0.82, 0.84)
_EU = frozenset({"AT", "BE", "DE", "ES", "FR", "IE", "IT", "NL", "SE"})
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


# --- reference data ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Country:
    name: str
    currency: str
    tax_label: str
    tax_rate: Decimal  # standard rate in percent, charged on domestic sales
    number_style: str  # key of _SEPARATORS
    date_style: str  # key of _DATE_STYLES
    paper: str  # PyMuPDF paper name


_COUNTRIES = {
    "DE": _Country("Germany", "EUR", "VAT", Decimal("19"), "de", "dmy.", "a4"),
    "AT": _Country("Austria", "EUR", "VAT", Decimal("20"), "de", "dmy.", "a4"),
    "CH": _Country("Switzerland", "CHF", "VAT", Decimal("8.1"), "ch", "dmy.", "a4"),
    "FR": _Country("France", "EUR", "VAT", Decimal("20"), "fr", "dmy/", "a4"),
    "BE": _Country("Belgium", "EUR", "VAT", Decimal("21"), "de", "dmy/", "a4"),
    "NL": _Country("Netherlands", "EUR", "VAT", Decimal("21"), "de", "dmy-", "a4"),
    "ES": _Country("Spain", "EUR", "VAT", Decimal("21"), "de", "dmy/", "a4"),
    "IT": _Country("Italy", "EUR", "VAT", Decimal("22"), "de", "dmy/", "a4"),
    "IE": _Country("Ireland", "EUR", "VAT", Decimal("23"), "en", "d month y", "a4"),
    "GB": _Country("United Kingdom", "GBP", "VAT", Decimal("20"), "en", "d month y", "a4"),
    "SE": _Country("Sweden", "SEK", "VAT", Decimal("25"), "fr", "iso", "a4"),
    "US": _Country("United States", "USD", "Sales tax", Decimal("8.25"), "en", "month d, y", "letter"),
}
_SEPARATORS = {"en": (",", "."), "de": (".", ","), "fr": (" ", ","), "ch": ("'", ".")}
_DATE_STYLES: dict[str, Callable[[date], str]] = {
    "dmy.": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "dmy/": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "dmy-": lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    "iso": lambda d: d.isoformat(),
    "d month y": lambda d: f"{d.day} {_MONTHS[d.month - 1]} {d.year}",
    "month d, y": lambda d: f"{_MONTHS[d.month - 1]} {d.day}, {d.year}",
}


@dataclass(frozen=True)
class _Company:
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
    categories: tuple[str, ...]  # what it sells: keys of _CATALOG
    law: tuple[str, str]  # governing law: (as printed after "the laws of", as recorded)
    bank: str
    bic: str
    bban: str | None  # None where the bank has no IBAN (US)
    account: str = ""  # domestic account line, printed where there is no IBAN
    region: str = ""  # US state, printed after the city
    colour: _Colour = (0.12, 0.3, 0.55)


_COMPANIES = (
    _Company("Nordlicht Software GmbH", "Friedrichstraße 68", "Berlin", "10117", "DE", "DE298143657",
             "nordlicht-software.de", "+49 30 2084 1190", "Amtsgericht Charlottenburg HRB 187234 B",
             "RE-{y}-{n:05d}", ("it",), ("Germany", "Germany"), "Berliner Volksbank", "BEVODEBBXXX",
             "100900002741853006", colour=(0.05, 0.36, 0.55)),
    _Company("Bergmann & Söhne Maschinenbau GmbH", "Industriestraße 14", "Stuttgart", "70565", "DE",
             "DE147258369", "bergmann-soehne.de", "+49 711 7820 400", "Amtsgericht Stuttgart HRB 724519",
             "{y}{n:06d}", ("industrial",), ("Germany", "Germany"), "BW-Bank", "SOLADEST600",
             "600501010004027581", colour=(0.55, 0.1, 0.1)),
    _Company("Thornbury Analytics Ltd", "48 Great Eastern Street", "London", "EC2A 3EP", "GB",
             "GB 284 5519 07", "thornbury-analytics.co.uk", "+44 20 7946 0321",
             "Registered in England and Wales No. 09182736", "TA-{n:05d}", ("it", "consulting"),
             ("England and Wales", "England and Wales"), "Barclays Bank UK PLC", "BUKBGB22",
             "BARC20325373195628", colour=(0.2, 0.2, 0.45)),
    _Company("Kestrel Print & Packaging Ltd", "Unit 7, Trafford Park Road", "Manchester", "M17 1HG", "GB",
             "GB 917 3342 18", "kestrelprint.co.uk", "+44 161 496 0788",
             "Registered in England and Wales No. 04417265", "INV{n:06d}", ("print",),
             ("England and Wales", "England and Wales"), "NatWest", "NWBKGB2L", "NWBK60161331926819",
             colour=(0.1, 0.45, 0.3)),
    _Company("Cascade Cloud Systems Inc.", "1200 Fifth Avenue, Suite 800", "Seattle", "98101", "US",
             "91-2841937", "cascadecloud.com", "+1 206 555 0147", "A Delaware corporation",
             "CCS-{y}-{n:04d}", ("it",), ("the State of Washington", "Washington"),
             "JPMorgan Chase Bank, N.A.", "CHASUS33", None, "ABA routing 325070760 | Account 000123987654",
             "WA", (0.0, 0.45, 0.6)),
    _Company("Hudson Office Supply LLC", "350 Hudson Street", "New York", "10014", "US", "13-4928371",
             "hudsonofficesupply.com", "+1 212 555 0193", "A New York limited liability company",
             "HOS{n:06d}", ("office",), ("the State of New York", "New York"), "Citibank, N.A.",
             "CITIUS33", None, "ABA routing 021000089 | Account 4987123455", "NY", (0.35, 0.2, 0.5)),
    _Company("Atelier Lumière SARL", "12 Rue de la Roquette", "Paris", "75011", "FR", "FR 42 832145697",
             "atelier-lumiere.fr", "+33 1 43 55 72 10", "RCS Paris 832 145 697", "F{y}-{n:04d}",
             ("design", "print"), ("France", "France"), "BNP Paribas", "BNPAFRPPXXX",
             "30004008230001234567897", colour=(0.6, 0.3, 0.1)),
    _Company("Transports Garnier SAS", "48 Avenue Jean Jaurès", "Lyon", "69007", "FR", "FR 61 489327015",
             "transports-garnier.fr", "+33 4 72 55 18 40", "RCS Lyon 489 327 015", "TG{y}-{n:05d}", ("logistics",),
             ("France", "France"), "Crédit Agricole", "AGRIFRPP878", "17806003210004567812345",
             colour=(0.1, 0.25, 0.5)),
    _Company("Van der Berg Logistics B.V.", "Keizersgracht 221", "Amsterdam", "1016 DV", "NL", "NL858294731B01",
             "vdberg-logistics.nl", "+31 20 794 1122", "KvK 34291877", "VDB{y}{n:05d}", ("logistics",),
             ("the Netherlands", "Netherlands"), "ABN AMRO Bank N.V.", "ABNANL2A", "ABNA0417164300",
             colour=(0.85, 0.4, 0.0)),
    _Company("Alpenblick Consulting AG", "Bahnhofstrasse 42", "Zürich", "8001", "CH", "CHE-109.322.551 MWST",
             "alpenblick.ch", "+41 44 552 18 90", "Handelsregister des Kantons Zürich CHE-109.322.551",
             "AB-{y}-{n:04d}", ("consulting",), ("Switzerland", "Switzerland"), "UBS Switzerland AG",
             "UBSWCHZH80A", "00762011623852957", colour=(0.7, 0.05, 0.15)),
    _Company("Grenchner Präzision AG", "Industriestrasse 7", "Grenchen", "2540", "CH", "CHE-114.608.273 MWST",
             "grenchner-praezision.ch", "+41 32 555 40 60", "Handelsregister des Kantons Solothurn CHE-114.608.273",
             "{y}-{n:04d}", ("industrial",), ("Switzerland", "Switzerland"), "Credit Suisse (Schweiz) AG",
             "CRESCHZZ80A", "04835012345678100", colour=(0.45, 0.45, 0.5)),
    _Company("Liffey Data Services Ltd", "27 Fitzwilliam Square", "Dublin", "D02 T292", "IE", "IE 6388047V",
             "liffeydata.ie", "+353 1 555 0432", "Registered in Ireland No. 612093", "LDS-{n:05d}",
             ("it", "consulting"), ("Ireland", "Ireland"), "Bank of Ireland", "BOFIIE2D",
             "BOFI90001712345678", colour=(0.0, 0.5, 0.35)),
    _Company("Danubia Components GmbH", "Mariahilfer Straße 88", "Wien", "1070", "AT", "ATU61953478",
             "danubia-components.at", "+43 1 524 33 70", "FN 318842 g, Handelsgericht Wien", "{y}/{n:05d}",
             ("industrial",), ("Austria", "Austria"), "Erste Bank", "GIBAATWWXXX", "2011182221219800",
             colour=(0.25, 0.35, 0.4)),
    _Company("Iberia Solar S.L.", "Calle de Alcalá 145", "Madrid", "28009", "ES", "ESB86512347",
             "iberiasolar.es", "+34 915 55 20 18", "Registro Mercantil de Madrid, Tomo 31544, Hoja M-567812",
             "FAC-{y}-{n:04d}", ("solar",), ("Spain", "Spain"), "Banco Santander", "BSCHESMMXXX",
             "00491500051234567892", colour=(0.9, 0.55, 0.0)),
    _Company("Milano Design S.r.l.", "Via Torino 61", "Milano", "20123", "IT", "IT07643520567",
             "milanodesign.it", "+39 02 8723 4410", "REA MI-1972410", "{n:04d}/{y}", ("design", "office"),
             ("Italy", "Italy"), "Intesa Sanpaolo", "BCITITMM", "X0306909606100000063542",
             colour=(0.15, 0.15, 0.15)),
    _Company("Scandic Print AB", "Sveavägen 44", "Stockholm", "111 34", "SE", "SE556677889901",
             "scandicprint.se", "+46 8 555 213 40", "Org.nr 556677-8899", "{y}{n:05d}", ("print",),
             ("Sweden", "Sweden"), "SEB", "ESSESESS", "50000000058398257466", colour=(0.0, 0.3, 0.6)),
    _Company("Brabant Facility Services NV", "Meir 48", "Antwerpen", "2000", "BE", "BE0412345678",
             "brabantfacility.be", "+32 3 555 71 20", "RPR Antwerpen 0412.345.678", "BFS-{y}-{n:05d}",
             ("facility",), ("Belgium", "Belgium"), "KBC Bank", "KREDBEBB", "734019872310",
             colour=(0.3, 0.5, 0.2)),
)


@dataclass(frozen=True)
class _Item:
    text: str  # may use {period} (billing month), {sku} (article number) and {week}
    unit: str
    low: int  # unit price range in cents (lump-sum lines: amount range)
    high: int
    quantity: str  # "int" | "half" (steps of 0.5) | "one" | "lump" (no quantity or unit price)
    most: int = 1  # largest quantity
    step: int = 1  # unit prices are multiples of this many cents


_CATALOG: dict[str, tuple[_Item, ...]] = {
    "it": (
        _Item("Software development, senior engineer (CW {week})", "h", 9500, 16500, "half", 40, 500),
        _Item("Project management (CW {week})", "h", 8500, 14000, "half", 16, 500),
        _Item("Cloud hosting, production cluster ({period})", "month", 40000, 480000, "one"),
        _Item("Managed backup service ({period})", "month", 9000, 60000, "one", step=100),
        _Item("Analytics Pro licence, per seat ({period})", "seat", 2500, 12000, "int", 250, 100),
        _Item("Support & maintenance ({period})", "month", 25000, 250000, "one", step=100),
        _Item("Laptop 14in, 32 GB RAM, 1 TB SSD (art. {sku})", "pcs", 110000, 230000, "int", 20, 100),
        _Item("USB-C docking station (art. {sku})", "pcs", 12000, 29000, "int", 25),
    ),
    "consulting": (
        _Item("Consulting, data strategy (CW {week})", "day", 120000, 220000, "half", 10, 5000),
        _Item("Workshop facilitation", "day", 90000, 160000, "half", 4, 5000),
        _Item("Process analysis, senior consultant (CW {week})", "h", 14000, 26000, "half", 40, 500),
        _Item("Travel expenses as incurred ({period})", "", 18000, 240000, "lump"),
    ),
    "office": (
        _Item("Office chair, ergonomic (art. {sku})", "pcs", 18000, 65000, "int", 30),
        _Item("Printer toner cartridge, black (art. {sku})", "pcs", 3500, 14000, "int", 60),
        _Item("Copy paper A4, 80 g/m2, box of 2500 (art. {sku})", "box", 1800, 3200, "int", 80),
        _Item("27in monitor, 4K (art. {sku})", "pcs", 26000, 52000, "int", 20),
        _Item("Height-adjustable desk 160x80 (art. {sku})", "pcs", 42000, 98000, "int", 12),
        _Item("Delivery and assembly", "", 4500, 38000, "lump"),
    ),
    "industrial": (
        _Item("Hydraulic cylinder HZ-40 (art. {sku})", "pcs", 24000, 89000, "int", 40),
        _Item("Steel flange DN100 PN16 (art. {sku})", "pcs", 1200, 4800, "int", 400),
        _Item("Sensor cable M12, 5 m (art. {sku})", "pcs", 900, 2600, "int", 300),
        _Item("Servo motor 1.5 kW (art. {sku})", "pcs", 65000, 180000, "int", 10),
        _Item("On-site installation and commissioning", "", 80000, 600000, "lump"),
        _Item("Express delivery surcharge", "", 4500, 35000, "lump"),
    ),
    "print": (
        _Item("Brochure A4, 16 pages, 4/4 colour (job {sku})", "pcs", 45, 190, "int", 5000),
        _Item("Business cards, 400 g/m2 (job {sku})", "box", 1900, 4500, "int", 40),
        _Item("Poster A1, matt (job {sku})", "pcs", 900, 2800, "int", 200),
        _Item("Prepress and proofing", "h", 6500, 11000, "half", 12, 500),
        _Item("Courier delivery", "", 2500, 18000, "lump"),
    ),
    "logistics": (
        _Item("Pallet freight, domestic (ref. {sku})", "pallet", 4500, 16000, "int", 24),
        _Item("Warehouse storage, pallet spaces ({period})", "space", 900, 2400, "int", 300, 50),
        _Item("Forklift rental ({period})", "day", 9500, 18000, "int", 20, 500),
        _Item("Customs clearance (ref. {sku})", "", 8500, 45000, "lump"),
        _Item("Express delivery surcharge", "", 4500, 35000, "lump"),
    ),
    "solar": (
        _Item("Solar panel 430 W, monocrystalline (art. {sku})", "pcs", 14000, 26000, "int", 120),
        _Item("Inverter 10 kW, three-phase (art. {sku})", "pcs", 120000, 260000, "int", 6),
        _Item("Roof mounting kit (art. {sku})", "set", 3500, 9000, "int", 120),
        _Item("Installation and grid connection", "", 150000, 900000, "lump"),
    ),
    "facility": (
        _Item("Office cleaning, daily ({period})", "month", 120000, 640000, "one", step=100),
        _Item("Window cleaning, all floors", "", 45000, 220000, "lump"),
        _Item("Technical maintenance (CW {week})", "h", 5500, 9500, "half", 30, 500),
        _Item("Hygiene consumables (art. {sku})", "box", 1500, 6000, "int", 80),
    ),
    "design": (
        _Item("Brand identity design (CW {week})", "h", 8500, 15000, "half", 40, 500),
        _Item("Photo shoot, product range", "day", 120000, 240000, "half", 3, 5000),
        _Item("Print layout, annual report ({period})", "", 150000, 600000, "lump"),
        _Item("Illustration licence, single use (ref. {sku})", "pcs", 15000, 60000, "int", 6),
    ),
}

_FIRST_NAMES = {
    "de": ("Anna", "Jürgen", "Katrin", "Matthias", "Sabine", "Tobias", "Lena", "Stefan"),
    "en": ("Oliver", "Charlotte", "James", "Amelia", "Harry", "Sophie", "Siobhan", "Ciarán"),
    "us": ("Michael", "Jennifer", "David", "Ashley", "Brian", "Megan", "Carlos", "Priya"),
    "fr": ("Camille", "Julien", "Élodie", "Mathieu", "Chloé", "Antoine", "Léa", "Nicolas"),
    "nl": ("Sanne", "Daan", "Lotte", "Jeroen", "Femke", "Bram"),
    "south": ("Lucía", "Javier", "Marta", "Giulia", "Marco", "Francesca", "Lorenzo"),
    "se": ("Erik", "Ingrid", "Lars", "Maja", "Johan", "Astrid"),
}
_LAST_NAMES = {
    "de": ("Hoffmann", "Schäfer", "Becker", "Wagner", "Krüger", "Neumann", "Fischer", "Vogel"),
    "en": ("Whitfield", "Patel", "O'Connor", "Hughes", "Bennett", "Clarke", "Murphy", "Doyle"),
    "us": ("Johnson", "Nguyen", "Rodriguez", "Miller", "Thompson", "Garcia", "Kim", "Walker"),
    "fr": ("Dubois", "Lefèvre", "Moreau", "Girard", "Laurent", "Fontaine", "Rousseau", "Peeters"),
    "nl": ("de Vries", "van Dijk", "Bakker", "Jansen", "Visser", "Smit"),
    "south": ("García López", "Fernández", "Rossi", "Bianchi", "Romano", "Colombo"),
    "se": ("Lindqvist", "Andersson", "Berg", "Nyström", "Sjöberg", "Holm"),
}
_NAME_POOL = {"DE": "de", "AT": "de", "CH": "de", "GB": "en", "IE": "en", "US": "us", "FR": "fr",
              "BE": "fr", "NL": "nl", "ES": "south", "IT": "south", "SE": "se"}
_JOB_TITLES = ("Chief Executive Officer", "Managing Director", "Chief Financial Officer", "General Counsel",
               "Head of Procurement", "Chief Operating Officer", "Director of Legal Affairs",
               "Chief Technology Officer", "Head of Finance")


@dataclass(frozen=True)
class _ContractKind:
    titles: tuple[str, ...]
    roles: tuple[str, str]  # (provider, recipient)
    provider_categories: frozenset[str]
    terms: tuple[int, ...]  # initial term options, months
    renewal_share: float  # share of contracts that renew automatically
    value: str | None  # "total" | "annual" | None (no value stated)
    value_range: tuple[int, int] = (0, 0)  # thousands
    clauses: tuple[str, ...] = ()  # keys of _CLAUSES, in document order


_CONTRACT_KINDS = {
    "master_services": _ContractKind(
        ("Master Services Agreement",), ("Supplier", "Customer"), frozenset({"it", "consulting", "facility"}),
        (12, 24, 36), 0.7, "total", (60, 900),
        ("definitions", "services", "personnel", "change", "term", "fees", "confidentiality", "ip",
         "warranties", "liability", "data", "termination", "force_majeure", "assignment", "notices",
         "entire", "law")),
    "non_disclosure": _ContractKind(
        ("Non-Disclosure Agreement", "Confidentiality Agreement"), ("Discloser", "Recipient"),
        frozenset(_CATALOG), (24, 36, 60), 0.0, None, (0, 0),
        ("nda_purpose", "nda_definition", "nda_obligations", "nda_exclusions", "nda_compelled", "nda_return",
         "nda_no_licence", "term", "nda_remedies", "assignment", "notices", "entire", "law")),
    "supply": _ContractKind(
        ("Supply Agreement", "Framework Supply Agreement"), ("Supplier", "Buyer"),
        frozenset({"industrial", "office", "print", "solar"}), (12, 24, 36), 0.6, "annual", (100, 2400),
        ("definitions_supply", "orders", "delivery", "quality", "term", "fees", "warranties", "liability",
         "termination", "force_majeure", "assignment", "notices", "entire", "law")),
    "license": _ContractKind(
        ("Software License Agreement", "Subscription License Agreement"), ("Licensor", "Licensee"),
        frozenset({"it"}), (12, 36), 0.8, "annual", (12, 480),
        ("grant", "restrictions", "support", "term", "fees", "confidentiality", "ip", "warranties",
         "liability", "data", "termination", "assignment", "notices", "entire", "law")),
    "consulting": _ContractKind(
        ("Consulting Agreement",), ("Consultant", "Client"), frozenset({"consulting", "design"}),
        (6, 12), 0.2, "total", (20, 180),
        ("services", "independent", "term", "fees", "confidentiality", "ip", "liability", "termination",
         "assignment", "notices", "entire", "law")),
}
_PAYMENT_TERMS = ("Net 30 from the date of invoice", "Net 45 from receipt of a valid invoice",
                  "Net 60 from the date of invoice", "within 30 days of the invoice date")


# --- formatting --------------------------------------------------------------------------------

def format_amount(value: str | Decimal, country: str) -> str:
    """Print an amount with two decimals the way a document from `country` does ("1.234,50" in DE)."""
    thousands, decimal_mark = _SEPARATORS[_COUNTRIES[country].number_style]
    text = f"{Decimal(value):,.2f}"
    return text.replace(",", "\0").replace(".", decimal_mark).replace("\0", thousands)


def format_date(day: date, country: str) -> str:
    """Print a date the way a document from `country` does ("05.03.2025" in DE, "March 5, 2025" in US)."""
    return _DATE_STYLES[_COUNTRIES[country].date_style](day)


def _format_quantity(value: Decimal, country: str) -> str:
    return _plain(value).replace(".", _SEPARATORS[_COUNTRIES[country].number_style][1])


def _plain(value: Decimal) -> str:
    """'7.5', '12': the shortest decimal string, as quantities are recorded."""
    return format(value.normalize(), "f")


def _words(n: int) -> str:
    """English number words for 0..999, as contracts spell out terms ("twenty-four (24) months")."""
    ones = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen").split()
    tens = "- - twenty thirty forty fifty sixty seventy eighty ninety".split()
    if n < 20:
        return ones[n]
    if n < 100:
        return tens[n // 10] + (f"-{ones[n % 10]}" if n % 10 else "")
    return f"{ones[n // 100]} hundred" + (f" and {_words(n % 100)}" if n % 100 else "")


def iban(country: str, bban: str) -> str:
    """An IBAN with valid ISO 13616 check digits for a country code and a domestic account (BBAN)."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _address_lines(company: _Company) -> list[str]:
    country = _COUNTRIES[company.country].name
    if company.country == "US":
        return [company.street, f"{company.city}, {company.region} {company.postal_code}", country]
    if company.country in ("GB", "IE"):
        return [company.street, company.city, company.postal_code, country]
    return [company.street, f"{company.postal_code} {company.city}", country]


def _one_line_address(company: _Company) -> str:
    return ", ".join(_address_lines(company))


def _add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _company(name: str) -> _Company:
    return next(c for c in _COMPANIES if c.name == name)


# --- records -----------------------------------------------------------------------------------

def invoice_record(rng: random.Random, n_lines: int | None = None) -> dict:
    """A ground-truth invoice record, valid under schemas/invoice.json and arithmetically consistent.

    `n_lines` fixes the number of line items (default: 1 to 8); about 40 spill onto a second page.
    """
    seller = rng.choice(_COMPANIES)
    buyer = _pick_counterparty(rng, seller)
    issue = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
    days = rng.choice((14, 30, 30, 45, 60))
    items = _line_items(rng, seller, issue, n_lines or rng.randint(1, 8))
    subtotal = sum((Decimal(item["amount"]) for item in items), Decimal("0.00"))
    tax = (subtotal * _tax_rate(seller, buyer) / 100).quantize(CENT, ROUND_HALF_UP)
    reverse_charge = seller.country in _EU and buyer.country in _EU and seller.country != buyer.country
    return {
        "invoice_number": seller.invoice_number.format(y=issue.year, n=rng.randint(1, 9999)),
        "issue_date": issue.isoformat(),
        "due_date": (issue + timedelta(days=days)).isoformat(),
        "currency": _invoice_currency(rng, seller, buyer),
        "seller": _party(seller, seller.tax_id),
        "buyer": _party(buyer, buyer.tax_id if reverse_charge or rng.random() < 0.6 else None),
        "line_items": items,
        "subtotal": str(subtotal),
        "tax_total": str(tax),
        "total": str(subtotal + tax),
        "payment_terms": rng.choice((f"Net {days}", f"{days} days net", f"Payable within {days} days of invoice date")),
        "iban": iban(seller.country, seller.bban) if seller.bban else None,
        "purchase_order": _purchase_order(rng, issue),
    }


def _pick_counterparty(rng: random.Random, first: _Company) -> _Company:
    """Mostly a domestic counterparty (so VAT is charged), sometimes a foreign one."""
    others = [c for c in _COMPANIES if c is not first]
    domestic = [c for c in others if c.country == first.country]
    return rng.choice(domestic if domestic and rng.random() < 0.6 else others)


def _line_items(rng: random.Random, seller: _Company, issue: date, count: int) -> list[dict]:
    pool = [item for category in seller.categories for item in _CATALOG[category]]
    lines = []
    for _ in range(count):
        item = rng.choice(pool)
        if "{" not in item.text:
            pool.remove(item)  # a fixed text is billed once; every category also has lines with references
        lines.append(_line_item(rng, item, issue))
    return lines


def _line_item(rng: random.Random, item: _Item, issue: date) -> dict:
    period = issue.replace(day=1) - timedelta(days=1)  # billed for the month before the invoice
    text = item.text.format(period=f"{_MONTHS[period.month - 1]} {period.year}", sku=rng.randint(10000, 99999),
                            week=rng.randint(1, 52))
    if item.quantity == "lump":
        return {"description": text, "quantity": None, "unit_price": None,
                "amount": str(Decimal(rng.randint(item.low, item.high)) / 100)}
    quantity = {"int": lambda: Decimal(rng.randint(1, item.most)),
                "half": lambda: Decimal(rng.randint(1, 2 * item.most)) / 2,
                "one": lambda: Decimal(1)}[item.quantity]()
    price = Decimal(rng.randint(item.low // item.step, item.high // item.step) * item.step) / 100
    return {"description": text, "quantity": _plain(quantity), "unit_price": str(price.quantize(CENT)),
            "amount": str((quantity * price).quantize(CENT, ROUND_HALF_UP))}


def _tax_rate(seller: _Company, buyer: _Company) -> Decimal:
    # Domestic sales carry the seller's standard rate; cross-border B2B sales carry none
    # (EU reverse charge, or an export).
    return _COUNTRIES[seller.country].tax_rate if seller.country == buyer.country else Decimal(0)


def _invoice_currency(rng: random.Random, seller: _Company, buyer: _Company) -> str:
    home, away = _COUNTRIES[seller.country].currency, _COUNTRIES[buyer.country].currency
    return away if home != away and rng.random() < 0.3 else home


def _party(company: _Company, tax_id: str | None) -> dict:
    return {"name": company.name, "tax_id": tax_id,
            "address": {"street": company.street, "city": company.city, "postal_code": company.postal_code,
                        "country": company.country}}


def _purchase_order(rng: random.Random, issue: date) -> str | None:
    return rng.choice((None, f"PO-{rng.randint(100000, 999999)}", f"45{rng.randint(10**7, 10**8 - 1)}",
                       f"PO {issue.year}/{rng.randint(100, 9999)}"))


def contract_record(rng: random.Random, contract_type: str | None = None) -> dict:
    """A ground-truth contract record, valid under schemas/contract.json; expiry follows from the term.

    `contract_type` picks the kind (default: random among master_services, non_disclosure, supply,
    license, consulting).
    """
    kind_name = contract_type or rng.choice(sorted(_CONTRACT_KINDS))
    kind = _CONTRACT_KINDS[kind_name]
    provider = rng.choice([c for c in _COMPANIES if kind.provider_categories & set(c.categories)])
    recipient = _pick_counterparty(rng, provider)
    effective = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
    if rng.random() < 0.6:
        effective = effective.replace(day=1)  # most contracts start on the first of a month
    term = rng.choice(kind.terms)
    renews = rng.random() < kind.renewal_share
    pairs = [(provider, kind.roles[0]), (recipient, kind.roles[1])]
    if rng.random() < 0.4:
        pairs.reverse()  # the customer is often introduced first
    value = _contract_value(rng, kind)
    return {
        "title": rng.choice(kind.titles),
        "contract_type": kind_name,
        "parties": [{"name": c.name, "role": role, "address": _one_line_address(c)} for c, role in pairs],
        "effective_date": effective.isoformat(),
        "expiry_date": (_add_months(effective, term) - timedelta(days=1)).isoformat(),
        "term_months": term,
        "auto_renewal": renews,
        "renewal_notice_days": rng.choice((30, 60, 90, 90, 180)) if renews else None,
        "governing_law": (provider if rng.random() < 0.8 else recipient).law[1],
        "payment_terms": rng.choice(_PAYMENT_TERMS) if kind.value else None,
        "contract_value": value,
        "currency": _COUNTRIES[provider.country].currency if value else None,
        "signatories": [s for c, _ in pairs for s in _signatories(rng, c, effective)],
    }


def _contract_value(rng: random.Random, kind: _ContractKind) -> str | None:
    if kind.value is None:
        return None
    return str(Decimal(rng.randint(*kind.value_range) * 1000 + rng.choice((0, 0, 500))).quantize(CENT))


def _signatories(rng: random.Random, company: _Company, effective: date) -> list[dict]:
    pool = _NAME_POOL[company.country]
    count = 2 if rng.random() < 0.2 else 1
    return [{"name": f"{rng.choice(_FIRST_NAMES[pool])} {rng.choice(_LAST_NAMES[pool])}",
             "title": rng.choice(_JOB_TITLES) if rng.random() < 0.9 else None,
             "party": company.name,
             "signed_date": (effective - timedelta(days=rng.randint(0, 12))).isoformat()}
            for _ in range(count)]


# --- drawing helpers ---------------------------------------------------------------------------

@functools.cache
def _advance(font: str, char: str) -> float:
    return pymupdf.get_text_length(char, fontname=font, fontsize=1)


def _width(text: str, font: str, size: float) -> float:
    """Text width in points, as the sum of cached glyph advances (base-14 fonts have no kerning).

    pymupdf.get_text_length on whole strings is slow enough to dominate contract rendering, and in
    PyMuPDF 2.0 it mismeasures strings that mix ASCII with other Latin-1 letters ("Straße").
    """
    return size * sum(_advance(font, char) for char in text)


def _text(page: pymupdf.Page, x: float, y: float, text: str, font: str = "helv", size: float = 9,
          colour: _Colour = _INK, align: str = "left") -> None:
    """Draw one line with its baseline at y; `align` says whether x is its left, right or centre."""
    width = _width(text, font, size)
    x -= {"left": 0, "right": width, "center": width / 2}[align]
    page.insert_text((x, y), text, fontname=font, fontsize=size, color=colour)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    line, used, space = "", 0.0, _width(" ", font, size)
    for word in text.split():
        needed = _width(word, font, size)
        if line and used + space + needed > width:
            lines.append(line)
            line, used = word, needed
        else:
            line, used = (f"{line} {word}", used + space + needed) if line else (word, needed)
    return lines + [line] if line else lines


def _new_page(doc: pymupdf.Document, paper: str) -> pymupdf.Page:
    width, height = pymupdf.paper_size(paper)
    return doc.new_page(width=width, height=height)


def _pdf_bytes(doc: pymupdf.Document, title: str, author: str, day: date) -> bytes:
    """Serialise with fixed metadata and no fresh /ID, so equal inputs give equal bytes."""
    stamp = f"D:{day.year:04d}{day.month:02d}{day.day:02d}090000Z"
    doc.set_metadata({"title": title, "author": author, "subject": "", "keywords": "",
                      "creator": "docintel sample generator", "producer": "docintel",
                      "creationDate": stamp, "modDate": stamp})
    return doc.tobytes(garbage=4, deflate=True, clean=True, no_new_id=True)


def _record_rng(record: dict) -> random.Random:
    """Layout choices (customer number, signature strokes) derive from the record, never from state."""
    return random.Random(hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest())


# --- invoices ----------------------------------------------------------------------------------

_MARGIN = 48
_ROW = 17  # table row height
_FOOTER = 64  # space reserved at the bottom of every page


def render_invoice_pdf(record: dict) -> bytes:
    """Draw an invoice record as a born-digital PDF with a text layer; long tables continue on new pages.

    The record must come from `invoice_record`: addresses, bank and tax rate are looked up by company name.
    """
    seller = _company(record["seller"]["name"])
    doc = pymupdf.open()
    page = _new_page(doc, _COUNTRIES[seller.country].paper)
    _invoice_letterhead(page, seller)
    y = _invoice_addresses(page, record, seller, _record_rng(record))
    y = _table_header(page, seller, y + 26)
    for number, item in enumerate(record["line_items"], 1):
        if y + _ROW > page.rect.height - _FOOTER - 14:
            _text(page, page.rect.width - _MARGIN, y + 14, "Continued on next page", "heit", 8, _GREY, "right")
            page = _continuation_page(doc, record, seller)
            y = _table_header(page, seller, 84)
        y = _table_row(page, seller, y, number, item)
    if y + 200 > page.rect.height - _FOOTER:
        page = _continuation_page(doc, record, seller)
        y = 70
    _invoice_totals(page, record, seller, y + 14)
    _invoice_footers(doc, seller)
    return _pdf_bytes(doc, f"Invoice {record['invoice_number']}", seller.name, date.fromisoformat(record["issue_date"]))


def _invoice_letterhead(page: pymupdf.Page, seller: _Company) -> None:
    width = page.rect.width
    initials = "".join(word[0] for word in seller.name.replace("&", "").split()[:2]).upper()
    page.draw_rect(pymupdf.Rect(_MARGIN, 38, _MARGIN + 40, 78), color=None, fill=seller.colour)
    _text(page, _MARGIN + 20, 63, initials, "hebo", 15, (1, 1, 1), "center")
    _text(page, _MARGIN + 50, 55, seller.name, "hebo", 14)
    _text(page, _MARGIN + 50, 69, " | ".join(_address_lines(seller)), "helv", 7.5, _GREY)
    _text(page, width - _MARGIN, 56, "INVOICE", "hebo", 22, seller.colour, "right")
    _text(page, width - _MARGIN, 70, f"{seller.phone} | accounts@{seller.web}", "helv", 7.5, _GREY, "right")
    _text(page, width - _MARGIN, 80, f"www.{seller.web}", "helv", 7.5, _GREY, "right")
    page.draw_line((_MARGIN, 92), (width - _MARGIN, 92), color=seller.colour, width=1.5)


def _invoice_addresses(page: pymupdf.Page, record: dict, seller: _Company, rng: random.Random) -> float:
    """Bill-to block on the left, invoice details on the right; returns the lowest y used."""
    buyer = _company(record["buyer"]["name"])
    _text(page, _MARGIN, 122, "BILL TO", "hebo", 7.5, _GREY)
    _text(page, _MARGIN, 137, buyer.name, "hebo", 10)
    y = 137
    for line in _address_lines(buyer):
        y += 12
        _text(page, _MARGIN, y, line)
    if record["buyer"]["tax_id"]:
        y += 14
        label = "EIN" if buyer.country == "US" else "VAT ID"
        _text(page, _MARGIN, y, f"{label}: {record['buyer']['tax_id']}")
    right = page.rect.width - _MARGIN
    details = [("Invoice no.", record["invoice_number"]),
               ("Invoice date", format_date(date.fromisoformat(record["issue_date"]), seller.country)),
               ("Due date", format_date(date.fromisoformat(record["due_date"]), seller.country)),
               ("Customer no.", f"C-{rng.randint(10000, 99999)}")]
    if record["purchase_order"]:
        details.append(("Your PO", record["purchase_order"]))
    details.append(("Currency", record["currency"]))
    y_right = 122
    for label, value in details:
        _text(page, right - 210, y_right, label, "helv", 8.5, _GREY)
        _text(page, right, y_right, value, "hebo" if label == "Invoice no." else "helv", 9, align="right")
        y_right += 14
    return max(y, y_right)


_QTY_X, _UNIT_X, _PRICE_X = 318, 326, 418  # column offsets from the left margin
_COLUMNS = (("#", 4, "left"), ("Description", 24, "left"), ("Qty", _QTY_X, "right"), ("Unit", _UNIT_X, "left"),
            ("Unit price", _PRICE_X, "right"))


def _table_header(page: pymupdf.Page, seller: _Company, y: float) -> float:
    right = page.rect.width - _MARGIN
    tint = tuple(0.88 + 0.12 * c for c in seller.colour)
    page.draw_rect(pymupdf.Rect(_MARGIN, y, right, y + 18), color=None, fill=tint)
    for label, dx, align in _COLUMNS:
        _text(page, _MARGIN + dx, y + 12.5, label, "hebo", 8, align=align)
    _text(page, right - 4, y + 12.5, "Amount", "hebo", 8, align="right")
    return y + 18


def _table_row(page: pymupdf.Page, seller: _Company, y: float, number: int, item: dict) -> float:
    country = seller.country
    baseline = y + 12
    _text(page, _MARGIN + 4, baseline, str(number), size=8.5, colour=_GREY)
    _text(page, _MARGIN + 24, baseline, item["description"], size=8.5)
    if item["quantity"] is not None:
        quantity = _format_quantity(Decimal(item["quantity"]), country)
        _text(page, _MARGIN + _QTY_X, baseline, quantity, size=8.5, align="right")
        _text(page, _MARGIN + _UNIT_X, baseline, _unit_of(item["description"], seller), size=8.5)
        _text(page, _MARGIN + _PRICE_X, baseline, format_amount(item["unit_price"], country), size=8.5,
              align="right")
    _text(page, page.rect.width - _MARGIN - 4, baseline, format_amount(item["amount"], country), size=8.5,
          align="right")
    page.draw_line((_MARGIN, y + _ROW), (page.rect.width - _MARGIN, y + _ROW), color=_RULE, width=0.5)
    return y + _ROW


def _unit_of(description: str, seller: _Company) -> str:
    """The catalogue unit of a line, found again from its description (the record has no unit field)."""
    for category in seller.categories:
        for item in _CATALOG[category]:
            head = item.text.split("{")[0]
            if description.startswith(head):
                return item.unit
    return ""


def _continuation_page(doc: pymupdf.Document, record: dict, seller: _Company) -> pymupdf.Page:
    page = _new_page(doc, _COUNTRIES[seller.country].paper)
    _text(page, _MARGIN, 50, seller.name, "hebo", 11)
    _text(page, page.rect.width - _MARGIN, 50, f"Invoice {record['invoice_number']} (continued)", "helv", 9,
          _GREY, "right")
    page.draw_line((_MARGIN, 60), (page.rect.width - _MARGIN, 60), color=seller.colour, width=1)
    return page


def _invoice_totals(page: pymupdf.Page, record: dict, seller: _Company, y: float) -> None:
    country = _COUNTRIES[seller.country]
    right = page.rect.width - _MARGIN
    buyer = _company(record["buyer"]["name"])
    rate = _tax_rate(seller, buyer)
    rate_text = _plain(rate).replace(".", _SEPARATORS[country.number_style][1])
    rows = [("Subtotal", record["subtotal"]), (f"{country.tax_label} {rate_text}%", record["tax_total"])]
    for i, (label, value) in enumerate(rows):
        _text(page, right - 200, y + 12 + 15 * i, label)
        _text(page, right - 4, y + 12 + 15 * i, format_amount(value, seller.country), align="right")
    page.draw_rect(pymupdf.Rect(right - 206, y + 36, right, y + 56), color=None,
                   fill=tuple(0.88 + 0.12 * c for c in seller.colour))
    _text(page, right - 200, y + 50, f"Total {record['currency']}", "hebo", 10.5)
    _text(page, right - 4, y + 50, format_amount(record["total"], seller.country), "hebo", 10.5, align="right")
    notes = [f"Payment terms: {record['payment_terms']}",
             f"Please pay by {format_date(date.fromisoformat(record['due_date']), seller.country)}, "
             f"quoting invoice no. {record['invoice_number']}."]
    if rate == 0:
        notes.append(_zero_tax_note(seller, buyer))
    _paragraphs(page, _MARGIN, y + 12, 250, notes)
    _bank_details(page, record, seller, y + 92)


def _zero_tax_note(seller: _Company, buyer: _Company) -> str:
    if seller.country in _EU and buyer.country in _EU:
        return "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Council Directive 2006/112/EC)."
    return "Export of goods/services: no VAT or sales tax charged."


def _paragraphs(page: pymupdf.Page, x: float, y: float, width: float, texts: list[str]) -> float:
    for text in texts:
        for line in _wrap(text, "helv", 8.5, width):
            _text(page, x, y, line, size=8.5)
            y += 11
        y += 3
    return y


def _bank_details(page: pymupdf.Page, record: dict, seller: _Company, y: float) -> None:
    right = page.rect.width - _MARGIN
    page.draw_line((_MARGIN, y), (right, y), color=_RULE, width=0.5)
    _text(page, _MARGIN, y + 16, "Bank details", "hebo", 9)
    if record["iban"]:
        grouped = " ".join(record["iban"][i:i + 4] for i in range(0, len(record["iban"]), 4))
        lines = [f"Bank: {seller.bank}", f"IBAN: {grouped}", f"BIC: {seller.bic}"]
    else:
        lines = [f"Bank: {seller.bank}", seller.account, f"SWIFT: {seller.bic}"]
    for i, line in enumerate(lines):
        _text(page, _MARGIN + 90, y + 16 + 12 * i, line)
    _text(page, _MARGIN, y + 64, "Thank you for your business.", "heit", 8.5, _GREY)


def _invoice_footers(doc: pymupdf.Document, seller: _Company) -> None:
    lines = [f"{seller.name} | {_one_line_address(seller)}",
             " | ".join(part for part in (seller.register, seller.tax_id and f"Tax ID {seller.tax_id}",
                                           f"www.{seller.web}") if part)]
    for number, page in enumerate(doc, 1):
        bottom = page.rect.height
        page.draw_line((_MARGIN, bottom - 50), (page.rect.width - _MARGIN, bottom - 50), color=_RULE, width=0.5)
        for i, line in enumerate(lines):
            _text(page, _MARGIN, bottom - 38 + 10 * i, line, size=7, colour=_GREY)
        _text(page, page.rect.width - _MARGIN, bottom - 38, f"Page {number} of {doc.page_count}", size=7,
              colour=_GREY, align="right")


# --- contracts ---------------------------------------------------------------------------------

class _Flow:
    """Stacks wrapped lines down the page and starts a new page when the next line would not fit."""

    def __init__(self, doc: pymupdf.Document, paper: str, margin: float = 68) -> None:
        self.doc, self.paper, self.margin = doc, paper, margin
        self.page = _new_page(doc, paper)
        self.y = margin

    @property
    def width(self) -> float:
        return self.page.rect.width - 2 * self.margin

    def need(self, height: float) -> None:
        """Start a new page unless `height` more points fit above the footer."""
        if self.y + height > self.page.rect.height - self.margin - 10:
            self.page = _new_page(self.doc, self.paper)
            self.y = self.margin

    def text(self, text: str, font: str = "tiro", size: float = 11, indent: float = 0, gap: float = 6,
             align: str = "left", label: str = "") -> None:
        """A paragraph; `label` (a clause number) hangs in the indent of its first line."""
        step = size * 1.32
        for i, line in enumerate(_wrap(text, font, size, self.width - indent)):
            self.need(step)
            x = self.margin + (self.width / 2 if align == "center" else indent)
            if i == 0 and label:
                _text(self.page, self.margin, self.y + size, label, font, size)
            _text(self.page, x, self.y + size, line, font, size, align=align)
            self.y += step
        self.y += gap

    def heading(self, text: str) -> None:
        self.y += 6
        self.need(14 * 4)  # keep a heading with the first lines of its clause
        self.text(text, "tibo", 11.5, gap=4)


def render_contract_pdf(record: dict) -> bytes:
    """Draw a contract record as a multi-page born-digital PDF: parties and date first, signatures last.

    The record must come from `contract_record`: the parties are looked up by name.
    """
    first = _company(record["parties"][0]["name"])
    doc = pymupdf.open()
    flow = _Flow(doc, _COUNTRIES[first.country].paper)
    words = _ContractWords(record)
    flow.text(record["title"], "tibo", 18, align="center", gap=4)
    flow.text(f"Contract reference {words.reference}", "helv", 8.5, align="center", gap=18)
    flow.text(f'This {record["title"]} (the "Agreement") is entered into as of {words.date(record["effective_date"])} '
              f'(the "Effective Date") by and between:', gap=8)
    for i, party in enumerate(record["parties"]):
        tail = "; and" if i < len(record["parties"]) - 1 else "."
        flow.text(f'{party["name"]}, a company organised under the laws of {_company(party["name"]).law[0]}, '
                  f'with its registered office at {party["address"]} (the "{party["role"]}"){tail}',
                  indent=28, label=f"({i + 1})")
    flow.text('each a "Party" and together the "Parties".', gap=10)
    for number, key in enumerate(_CONTRACT_KINDS[record["contract_type"]].clauses, 1):
        heading, paragraphs = _CLAUSES[key](words)
        flow.heading(f"{number}. {heading}")
        for sub, paragraph in enumerate(paragraphs, 1):
            flow.text(paragraph, indent=28, label=f"{number}.{sub}")
    _signature_block(flow, record, words)
    _contract_footers(doc, record, words.reference)
    return _pdf_bytes(doc, record["title"], record["parties"][0]["name"],
                      date.fromisoformat(record["effective_date"]))


class _ContractWords:
    """The record's facts phrased for the clause templates."""

    def __init__(self, record: dict) -> None:
        self.record = record
        kind = _CONTRACT_KINDS[record["contract_type"]]
        self.provider, self.recipient = (f"the {role}" for role in kind.roles)
        self.provider_cap, self.recipient_cap = (f"The {role}" for role in kind.roles)  # at the start of a sentence
        self.law_country = next(c for c in _COMPANIES if c.law[1] == record["governing_law"])
        self.reference = f"{''.join(w[0] for w in record['title'].split()[:-1])}-" \
                         f"{record['effective_date'][:4]}-{_record_rng(record).randint(100, 999)}"

    def date(self, iso: str) -> str:
        # Contracts spell dates out: "1 March 2025", or "March 1, 2025" under US law.
        style = "month d, y" if self.law_country.country == "US" else "d month y"
        return _DATE_STYLES[style](date.fromisoformat(iso))

    def money(self) -> str:
        record = self.record
        return f"{record['currency']} {format_amount(record['contract_value'], self.law_country.country)}"


def _clause_term(w: _ContractWords) -> tuple[str, list[str]]:
    r = w.record
    months = f"{_words(r['term_months'])} ({r['term_months']}) months"
    start = (f"This Agreement commences on the Effective Date and continues for an initial term of {months}, "
             f'ending on {w.date(r["expiry_date"])} (the "Initial Term").')
    if r["auto_renewal"]:
        days = r["renewal_notice_days"]
        renewal = ("Thereafter this Agreement renews automatically for successive renewal terms of twelve (12) "
                   "months each, unless either Party gives the other written notice of non-renewal at least "
                   f"{_words(days)} ({days}) days before the end of the then-current term.")
    else:
        renewal = ("This Agreement does not renew automatically. Any extension beyond the Initial Term requires "
                   "a written amendment signed by authorised representatives of both Parties.")
    survival = ("Expiry or termination does not affect any rights or obligations accrued before it. Provisions "
                "that by their nature are intended to survive, including confidentiality and governing law, "
                "survive it.")
    return "Term and Renewal", [start, renewal, survival]


def _clause_fees(w: _ContractWords) -> tuple[str, list[str]]:
    r = w.record
    if _CONTRACT_KINDS[r["contract_type"]].value == "annual":
        fee = (f"In consideration of the rights and deliveries under this Agreement, {w.recipient} shall pay "
               f"{w.provider} an annual fee of {w.money()}, excluding value added tax and other applicable "
               f"taxes, invoiced annually in advance.")
    else:
        fee = (f"{w.recipient_cap} shall pay {w.provider} the fees set out in each order or Statement of "
               f"Work. The total fees payable during the Initial Term shall not exceed {w.money()} (the "
               f'"Contract Value"), excluding value added tax, unless the Parties agree otherwise in writing.')
    return "Fees and Payment", [
        fee,
        f"Payment terms: {r['payment_terms']}. Invoices shall state the contract reference and, where "
        f"applicable, the purchase order number of {w.recipient}.",
        "Amounts not paid when due bear interest at the statutory rate for commercial transactions. "
        f"{w.recipient_cap} may dispute an invoice in good faith by written notice stating its reasons "
        "within fifteen (15) days of receipt, and shall pay the undisputed part on time.",
    ]


def _clause_law(w: _ContractWords) -> tuple[str, list[str]]:
    law = w.law_country.law[0]
    return "Governing Law and Jurisdiction", [
        f"This Agreement and any non-contractual obligations arising out of or in connection with it are "
        f"governed by and construed in accordance with the laws of {law}, excluding its conflict-of-laws rules "
        f"and the United Nations Convention on Contracts for the International Sale of Goods.",
        f"The courts of {law} have exclusive jurisdiction to settle any dispute arising out of or in connection "
        "with this Agreement, without prejudice to either Party's right to seek interim relief elsewhere.",
    ]


def _fixed(heading: str, *paragraphs: str) -> Callable[[_ContractWords], tuple[str, list[str]]]:
    """A clause whose text only needs the party roles filled in ({p}: provider, {r}: recipient)."""
    def clause(w: _ContractWords) -> tuple[str, list[str]]:
        fill = {"p": w.provider, "r": w.recipient, "P": w.provider_cap, "R": w.recipient_cap}
        return heading, [p.format(**fill) for p in paragraphs]
    return clause


_CLAUSES: dict[str, Callable[[_ContractWords], tuple[str, list[str]]]] = {
    "term": _clause_term,
    "fees": _clause_fees,
    "law": _clause_law,
    "definitions": _fixed(
        "Definitions",
        '"Services" means the professional, technical and support services described in a Statement of Work.',
        '"Statement of Work" means a document signed by both Parties under this Agreement that describes '
        "specific Services, deliverables, milestones, acceptance criteria and fees.",
        '"Deliverables" means all documents, software, reports and other materials that {p} provides to {r} '
        "as part of the Services.",
        '"Confidential Information" means any information disclosed by one Party to the other, in any form, '
        "that is marked as confidential or that a reasonable person would understand to be confidential.",
        '"Business Day" means a day other than a Saturday, Sunday or public holiday in the place where {p} has '
        "its registered office."),
    "definitions_supply": _fixed(
        "Definitions",
        '"Products" means the goods listed in the current price list of {p} as agreed with {r}, as amended '
        "from time to time in writing.",
        '"Order" means a purchase order for Products issued by {r} and accepted by {p} under this Agreement.',
        '"Forecast" means the non-binding rolling forecast of Product quantities that {r} provides monthly.'),
    "services": _fixed(
        "Scope of Services",
        "{P} shall provide the Services described in each Statement of Work with due skill, care and "
        "diligence, in accordance with good industry practice and the applicable law.",
        "Each Statement of Work forms part of this Agreement. If a Statement of Work conflicts with these "
        "terms, these terms prevail unless the Statement of Work expressly states the clause it overrides.",
        "{R} shall provide timely access to its premises, systems, information and personnel as reasonably "
        "required, and {p} is not responsible for delays caused by a failure of {r} to do so."),
    "personnel": _fixed(
        "Personnel and Subcontractors",
        "{P} shall assign suitably qualified and experienced personnel to the Services and shall replace any "
        "individual whom {r} reasonably considers unsuitable, at no additional cost.",
        "{P} may engage subcontractors only with the prior written consent of {r}, which shall not be "
        "unreasonably withheld. {P} remains responsible for the acts and omissions of its subcontractors."),
    "change": _fixed(
        "Change Control",
        "Either Party may request a change to the scope of a Statement of Work by written change request. "
        "{P} shall respond within ten (10) Business Days with the impact on schedule and fees.",
        "No change is binding until both Parties have signed a change note describing it."),
    "confidentiality": _fixed(
        "Confidentiality",
        "Each Party shall keep the Confidential Information of the other Party confidential, use it only to "
        "perform its obligations or exercise its rights under this Agreement, and disclose it only to its "
        "employees, advisers and subcontractors who need to know it and are bound by equivalent obligations.",
        "These obligations do not apply to information that is or becomes public other than through a breach "
        "of this Agreement, that was lawfully known to the receiving Party before disclosure, or that must be "
        "disclosed by law or by order of a competent authority."),
    "ip": _fixed(
        "Intellectual Property",
        "Each Party retains all intellectual property rights it owned before the Effective Date or develops "
        "independently of this Agreement.",
        "On full payment of the applicable fees, {r} receives a non-exclusive, perpetual, worldwide licence to "
        "use the Deliverables for its internal business purposes. Rights in tools, methods and know-how of "
        "general application remain with {p}."),
    "warranties": _fixed(
        "Warranties",
        "{P} warrants that the Services and Products will conform in all material respects to the agreed "
        "specifications for a period of ninety (90) days from delivery or acceptance, whichever is later.",
        "As its sole remedy for breach of this warranty, {r} may require {p} to re-perform the non-conforming "
        "Services or to repair or replace the non-conforming Products within a reasonable time.",
        "Except as expressly stated in this Agreement, all other warranties and conditions, whether express or "
        "implied, are excluded to the fullest extent permitted by law."),
    "liability": _fixed(
        "Limitation of Liability",
        "Neither Party excludes or limits its liability for death or personal injury caused by negligence, "
        "for fraud, or for any other liability that cannot be limited by law.",
        "Subject to the preceding sentence, neither Party is liable for any loss of profit, revenue, data or "
        "goodwill, or for any indirect or consequential loss, and the total liability of each Party under "
        "this Agreement in any contract year is limited to the fees paid or payable in that year."),
    "data": _fixed(
        "Data Protection",
        "Where {p} processes personal data on behalf of {r}, it does so only on documented instructions of "
        "{r} and in accordance with the data processing terms annexed to this Agreement.",
        "{P} shall implement appropriate technical and organisational measures to protect personal data and "
        "shall notify {r} without undue delay, and in any case within forty-eight (48) hours, after becoming "
        "aware of a personal data breach."),
    "termination": _fixed(
        "Termination",
        "Either Party may terminate this Agreement with immediate effect by written notice if the other Party "
        "commits a material breach that is not remedied within thirty (30) days of a written notice "
        "describing the breach, or if the other Party becomes insolvent or enters into liquidation.",
        "On termination, {r} shall pay for all Services performed and Products delivered up to the date of "
        "termination, and each Party shall return or destroy the Confidential Information of the other."),
    "force_majeure": _fixed(
        "Force Majeure",
        "Neither Party is liable for a delay or failure to perform caused by events beyond its reasonable "
        "control, including natural disasters, epidemics, war, terrorism, labour disputes affecting third "
        "parties, and failures of public utilities or networks.",
        "The affected Party shall notify the other promptly and use reasonable efforts to mitigate the effect. "
        "If the event continues for more than sixty (60) days, either Party may terminate this Agreement by "
        "written notice."),
    "assignment": _fixed(
        "Assignment",
        "Neither Party may assign or transfer this Agreement or any of its rights or obligations without the "
        "prior written consent of the other Party, except to an affiliate or to a successor of all or "
        "substantially all of its business, on written notice."),
    "notices": _fixed(
        "Notices",
        "Notices under this Agreement must be in writing and delivered by hand, by registered mail or by "
        "email with confirmation of receipt to the address of the receiving Party stated above, or to another "
        "address notified in writing. A notice is deemed received on the Business Day after delivery."),
    "entire": _fixed(
        "Entire Agreement and Amendments",
        "This Agreement, together with its annexes, constitutes the entire agreement between the Parties on its "
        "subject matter and supersedes all prior negotiations, representations and agreements.",
        "No amendment or waiver is effective unless made in writing and signed by both Parties. If any "
        "provision is held invalid, the remaining provisions remain in full force and effect."),
    "orders": _fixed(
        "Forecasts and Orders",
        "{R} shall provide a rolling twelve-month Forecast on the first Business Day of each month. Forecasts "
        "are for planning purposes only and do not oblige {r} to purchase.",
        "{P} shall accept or reject each Order within three (3) Business Days. Accepted Orders are binding and "
        "may be changed or cancelled only by written agreement."),
    "delivery": _fixed(
        "Delivery and Risk",
        "{P} shall deliver the Products DAP (Incoterms 2020) to the delivery address stated in the Order, on "
        "the confirmed delivery date, packed to protect them from damage in transit.",
        "Risk passes to {r} on delivery; title passes on full payment. If {p} misses a confirmed delivery date "
        "by more than five (5) Business Days, {r} may cancel the affected Order without liability."),
    "quality": _fixed(
        "Quality and Inspection",
        "{P} shall maintain a quality management system certified to ISO 9001 throughout the term and shall "
        "allow {r} to audit it on reasonable notice, not more than once a year.",
        "{R} shall inspect the Products within ten (10) Business Days of delivery and notify visible defects "
        "in writing within that period; hidden defects shall be notified promptly after discovery."),
    "grant": _fixed(
        "Grant of License",
        "Subject to payment of the fees, {p} grants {r} a non-exclusive, non-transferable licence during the "
        "term to install and use the software for its internal business purposes, within the licensed number "
        "of named users stated in the order form.",
        "{R} may make a reasonable number of copies for backup and testing. All rights not expressly granted "
        "are reserved by {p}."),
    "restrictions": _fixed(
        "Restrictions",
        "{R} shall not sublicense, rent or lease the software, make it available to third parties as a "
        "service, or decompile, disassemble or reverse engineer it except to the extent permitted by law.",
        "{R} shall not remove proprietary notices and shall keep accurate records of the users of the "
        "software, which {p} may audit once a year on thirty (30) days' notice."),
    "support": _fixed(
        "Support and Updates",
        "{P} shall provide second-level support by email and telephone on Business Days between 08:00 and "
        "18:00 local time, and shall make updates and new releases available at no extra charge.",
        "{P} shall respond to critical incidents within four (4) hours and use reasonable efforts to provide a "
        "workaround or fix within two (2) Business Days."),
    "independent": _fixed(
        "Independent Contractor",
        "{P} acts as an independent contractor. Nothing in this Agreement creates an employment relationship, "
        "partnership or joint venture, and {p} is responsible for its own taxes and social security "
        "contributions.",
        "{P} determines the manner and time of performing the services, subject to the milestones agreed with "
        "{r}, and may work for other clients provided this does not create a conflict of interest."),
    "nda_purpose": _fixed(
        "Purpose",
        "The Parties intend to evaluate a possible business relationship (the \"Purpose\"). For the Purpose, "
        "{p} may disclose Confidential Information to {r} under the terms of this Agreement."),
    "nda_definition": _fixed(
        "Confidential Information",
        '"Confidential Information" means all information disclosed by or on behalf of {p} to {r}, whether '
        "before or after the Effective Date, in writing, orally, electronically or by inspection, including "
        "business plans, customer and supplier data, pricing, technical data, source code, designs and "
        "know-how, and all notes, analyses and copies that contain or reflect such information.",
        "Information disclosed orally is Confidential Information if it is identified as confidential at the "
        "time of disclosure or if its confidential nature is evident from the circumstances."),
    "nda_obligations": _fixed(
        "Obligations of the Recipient",
        "{R} shall keep the Confidential Information strictly confidential, use it solely for the Purpose, "
        "and protect it with at least the same degree of care it uses for its own confidential information, "
        "and in no case less than reasonable care.",
        "{R} may disclose Confidential Information only to its directors, employees and professional advisers "
        "who need to know it for the Purpose and who are bound by confidentiality obligations no less "
        "protective than those in this Agreement. {R} is liable for any breach by such persons.",
        "{R} shall notify {p} promptly in writing on becoming aware of any unauthorised use or disclosure of "
        "Confidential Information and shall cooperate to limit its consequences."),
    "nda_exclusions": _fixed(
        "Exclusions",
        "The obligations in this Agreement do not apply to information that {r} can show by written records "
        "(a) is or becomes generally available to the public other than through a breach of this Agreement, "
        "(b) was lawfully in its possession before disclosure by {p}, (c) is lawfully received from a third "
        "party without a duty of confidentiality, or (d) is independently developed without use of the "
        "Confidential Information."),
    "nda_compelled": _fixed(
        "Compelled Disclosure",
        "If {r} is required by law, regulation or order of a court or authority to disclose Confidential "
        "Information, it shall, where legally permitted, give {p} prompt written notice so that {p} may seek a "
        "protective order, and shall disclose only the part that it is legally required to disclose."),
    "nda_return": _fixed(
        "Return and Destruction",
        "On written request of {p}, and in any case at the end of the term, {r} shall promptly return or "
        "destroy all Confidential Information and confirm this in writing, except for copies that it must "
        "retain by law or that are held in routine electronic backups, which remain subject to this Agreement."),
    "nda_no_licence": _fixed(
        "No Licence and No Warranty",
        "All Confidential Information remains the property of {p}. No licence under any patent, copyright or "
        "other intellectual property right is granted or implied by this Agreement.",
        "Confidential Information is provided \"as is\". {P} makes no warranty as to its accuracy or "
        "completeness, and neither Party is obliged to enter into any further agreement."),
    "nda_remedies": _fixed(
        "Remedies",
        "{R} acknowledges that damages alone may not be an adequate remedy for a breach of this Agreement and "
        "that {p} is entitled to seek injunctive relief and specific performance in addition to any other "
        "remedy available at law."),
}


def _signature_block(flow: _Flow, record: dict, words: _ContractWords) -> None:
    """Two signature columns per row, each with a pen stroke, name, title and date; always on the last page."""
    rng = _record_rng(record)
    flow.need(40 + 150 * ((len(record["signatories"]) + 1) // 2))
    flow.y += 10
    flow.text("IN WITNESS WHEREOF the Parties have caused this Agreement to be executed by their duly "
              "authorised representatives on the dates written below.", gap=14)
    column = flow.width / 2
    for i, signatory in enumerate(record["signatories"]):
        x = flow.margin + column * (i % 2)
        y = flow.y + 150 * (i // 2)
        _text(flow.page, x, y + 10, "For and on behalf of", "helv", 8.5, _GREY)
        for j, line in enumerate(_wrap(signatory["party"], "tibo", 10.5, column - 24)):
            _text(flow.page, x, y + 24 + 13 * j, line, "tibo", 10.5)
        _signature_stroke(flow.page, x + 8, y + 72, rng)
        flow.page.draw_line((x, y + 82), (x + column - 30, y + 82), color=_INK, width=0.6)
        rows = [f"Name: {signatory['name']}"]
        if signatory["title"]:
            rows.append(f"Title: {signatory['title']}")
        rows.append(f"Date: {words.date(signatory['signed_date'])}")
        for j, row in enumerate(rows):
            _text(flow.page, x, y + 96 + 13 * j, row, "tiro", 10)
    flow.y += 150 * ((len(record["signatories"]) + 1) // 2)


def _signature_stroke(page: pymupdf.Page, x: float, y: float, rng: random.Random) -> None:
    shape = page.new_shape()
    point = pymupdf.Point(x, y)
    for _ in range(rng.randint(4, 7)):
        end = point + (rng.uniform(10, 30), rng.uniform(-8, 8))
        shape.draw_bezier(point, point + (rng.uniform(-6, 22), rng.uniform(-30, 4)),
                          end + (rng.uniform(-22, 6), rng.uniform(-4, 26)), end)
        point = end
    shape.finish(color=(0.1, 0.15, 0.45), width=1.1, closePath=False)
    shape.commit()


def _contract_footers(doc: pymupdf.Document, record: dict, reference: str) -> None:
    for number, page in enumerate(doc, 1):
        bottom, right = page.rect.height - 34, page.rect.width - 68
        page.draw_line((68, bottom - 12), (right, bottom - 12), color=_RULE, width=0.5)
        _text(page, 68, bottom, f"{record['title']} | {reference} | Confidential", size=7.5, colour=_GREY)
        _text(page, right, bottom, f"Page {number} of {doc.page_count}", size=7.5, colour=_GREY, align="right")


# --- scans, photos, TIFFs ---------------------------------------------------------------------

def _page_image(page: pymupdf.Page, dpi: float, gray: bool) -> Image.Image:
    zoom = dpi / 72
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), colorspace=pymupdf.csGRAY if gray else pymupdf.csRGB,
                          alpha=False)
    return Image.frombytes("L" if gray else "RGB", (pix.width, pix.height), pix.samples)


def _noise(rng: random.Random, size: tuple[int, int], sigma: float) -> Image.Image:
    """Roughly normal noise around 128 from seeded bytes (Pillow's own noise is not seedable)."""
    normal = statistics.NormalDist(128, sigma)
    lut = [min(255, max(0, round(normal.inv_cdf((i + 0.5) / 256)))) for i in range(256)]
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1])).point(lut)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _scanned(image: Image.Image, rng: random.Random) -> Image.Image:
    """What a sheet-fed scanner adds: skew, grey paper and toner, soft focus, sensor noise."""
    image = image.rotate(rng.uniform(-1.5, 1.5), resample=Image.Resampling.BILINEAR, fillcolor=255)
    ink, paper = rng.randint(15, 40), rng.randint(226, 244)
    image = image.point(lambda v: ink + (paper - ink) * v // 255)
    image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.8)))
    return ImageChops.add(image, _noise(rng, image.size, rng.uniform(3, 6)), scale=1.0, offset=-128)


def scan_pdf(pdf: bytes, rng: random.Random, dpi: int = 150) -> bytes:
    """Rasterise every page as a scanner would (grey, skewed, noisy, JPEG) into an image-only PDF."""
    out = pymupdf.open()
    with pymupdf.open(stream=pdf, filetype="pdf") as src:
        for page in src:
            image = _scanned(_page_image(page, dpi, gray=True), rng)
            target = out.new_page(width=page.rect.width, height=page.rect.height)
            target.insert_image(target.rect, stream=_jpeg(image, rng.randint(55, 70)))
    # Scanner-like metadata with a fixed date, so the same input gives the same bytes.
    stamp = "D:20250101120000Z"
    out.set_metadata({"title": "", "author": "", "subject": "", "keywords": "", "creator": "Canon iR-ADV C5535",
                      "producer": "Canon iR-ADV C5535 PDF", "creationDate": stamp, "modDate": stamp})
    return out.tobytes(garbage=4, deflate=True, no_new_id=True)


def photo_jpeg(pdf: bytes, rng: random.Random) -> bytes:
    """The first page as a phone photo: sheet on a desk, tilted, unevenly lit, ~1500 px, JPEG quality 80."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        page = doc[0]
        landscape = page.rect.width > page.rect.height
        frame = (1500, 1125) if landscape else (1125, 1500)
        sheet = _page_image(page, 72 * 0.82 * max(frame) / max(page.rect.width, page.rect.height), gray=False)
    sheet = ImageChops.multiply(sheet, Image.new("RGB", sheet.size, (252, 248, 238)))  # paper is never white
    scene = _desk(rng, (int(frame[0] * 1.15), int(frame[1] * 1.15)), sheet)
    photo = scene.transform(frame, Image.Transform.QUAD, _camera_quad(rng, scene.size, frame),
                            resample=Image.Resampling.BICUBIC)
    photo = ImageChops.multiply(photo, _lighting(rng, frame))
    photo = photo.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 0.9)))
    grain = _noise(rng, frame, 4).convert("RGB")
    return _jpeg(ImageChops.add(photo, grain, scale=1.0, offset=-128), 80)


def _desk(rng: random.Random, size: tuple[int, int], sheet: Image.Image) -> Image.Image:
    """The sheet centred on a mottled desk surface, with a soft shadow under it."""
    colour = rng.choice(((136, 100, 70), (112, 114, 120), (70, 72, 80), (180, 160, 130)))
    mottle = Image.frombytes("L", (6, 8), rng.randbytes(48)).point(lambda v: 200 + v * 55 // 255)
    mottle = mottle.resize(size, Image.Resampling.BICUBIC).convert("RGB")
    desk = ImageChops.multiply(Image.new("RGB", size, colour), mottle)
    left, top = (size[0] - sheet.width) // 2, (size[1] - sheet.height) // 2
    shadow = Image.new("L", size, 0)
    ImageDraw.Draw(shadow).rectangle((left + 10, top + 14, left + sheet.width + 10, top + sheet.height + 14), fill=150)
    desk = Image.composite(Image.new("RGB", size, (20, 20, 20)), desk, shadow.filter(ImageFilter.BoxBlur(14)))
    desk.paste(sheet, (left, top))
    return desk


def _camera_quad(rng: random.Random, scene: tuple[int, int], frame: tuple[int, int]) -> tuple[float, ...]:
    """Corners (upper left, lower left, lower right, upper right) of the scene region the camera sees:
    the frame-sized centre, rotated a few degrees and with each corner jittered, i.e. a tilted view."""
    angle = math.radians(rng.uniform(-3, 3))
    cx, cy = scene[0] / 2, scene[1] / 2
    jitter = 0.03 * min(frame)
    corners = ((-1, -1), (-1, 1), (1, 1), (1, -1))
    quad: list[float] = []
    for sx, sy in corners:
        dx = sx * frame[0] / 2 + rng.uniform(-jitter, jitter)
        dy = sy * frame[1] / 2 + rng.uniform(-jitter, jitter)
        quad += [cx + dx * math.cos(angle) - dy * math.sin(angle), cy + dx * math.sin(angle) + dy * math.cos(angle)]
    return tuple(quad)


def _lighting(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A smooth brightness field: a 3x3 grid of levels blown up, so one side is darker than the other."""
    levels = bytes(rng.randint(175, 255) for _ in range(9))
    return Image.frombytes("L", (3, 3), levels).resize(size, Image.Resampling.BILINEAR).convert("RGB")


def multipage_tiff(pdf: bytes, dpi: int = 150) -> bytes:
    """All pages as a bilevel multi-frame TIFF with CCITT group 4 compression, as office scanners file them."""
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        frames = [_page_image(page, dpi, gray=True).point(lambda v: 255 if v > 170 else 0, mode="1")
                  for page in doc]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(dpi, dpi))
    return buffer.getvalue()


# --- files that must fail ----------------------------------------------------------------------

def _bomb_png(side: int = 20000) -> bytes:
    """A white 1-bit PNG that declares side x side pixels (400 MP) yet compresses to ~75 kB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + b"\xff" * ((side + 7) // 8)  # filter type 0, then all-white bits
    data = zlib.compress(row * side, 9)  # 50 MB for a moment
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _many_pages_pdf(pages: int = 60) -> bytes:
    """A valid text PDF with more pages than the default page cap (50)."""
    doc = pymupdf.open()
    for number in range(1, pages + 1):
        page = _new_page(doc, "a4")
        _text(page, 72, 90, f"Delivery schedule, appendix B - sheet {number} of {pages}", "hebo", 13)
        for line in range(6):
            _text(page, 72, 130 + 16 * line, f"Position {number}.{line + 1}: pallet {number * 10 + line:04d}, "
                  "dispatched per order 4500187342", size=10)
    return _pdf_bytes(doc, "Delivery schedule", "Van der Berg Logistics B.V.", date(2025, 3, 3))


def _encrypted_pdf(pdf: bytes) -> bytes:
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        return doc.tobytes(garbage=4, deflate=True, encryption=pymupdf.PDF_ENCRYPT_AES_256,
                           user_pw=ENCRYPTED_PASSWORD, owner_pw=f"{ENCRYPTED_PASSWORD}-owner",
                           permissions=pymupdf.PDF_PERM_PRINT)


def _write_encrypted(path: Path, pdf: bytes) -> None:
    """Write an AES-256 copy of `pdf`, keeping an existing file that already decrypts to the same pages.

    MuPDF salts AES-256 with OS entropy, so this is the one starter file whose bytes differ on every
    run; keeping an equivalent file keeps a regeneration free of spurious diffs.
    """
    if path.exists() and _decrypted_text(path.read_bytes()) == _decrypted_text(_encrypted_pdf(pdf)):
        return
    path.write_bytes(_encrypted_pdf(pdf))


def _decrypted_text(data: bytes) -> list[str] | None:
    try:
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            if not doc.authenticate(ENCRYPTED_PASSWORD):
                return None
            return [page.get_text() for page in doc]
    except (pymupdf.FileDataError, RuntimeError):
        return None


_NOTES = """Accounts payable - meeting notes, 4 March 2025

- Nordlicht invoices now arrive as PDF attachments, Bergmann still sends paper.
- Scanner on floor 2 saves multi-page TIFFs; ask IT to switch it to PDF.
- Reminder: this is a plain-text file, not an invoice. The pipeline should reject it.
"""


# --- the starter set and benchmark batches ----------------------------------------------------

@dataclass(frozen=True)
class _SampleFile:
    path: str  # relative to the set's root
    purpose: str  # one line for README.md
    data: bytes
    truth: tuple[str, dict] | None = None  # (schema, record) for good documents


def _starter_files() -> Iterator[_SampleFile]:
    """The committed set, from fixed seeds chosen so each document shows what its line says."""
    digital = invoice_record(random.Random(2))
    yield _SampleFile("invoice/invoice_digital.pdf", "born-digital one-page invoice with a text layer",
                      render_invoice_pdf(digital), ("invoice", digital))
    scanned = invoice_record(random.Random(18))
    yield _SampleFile("invoice/invoice_scanned.pdf", "scanned invoice: image-only PDF, skewed and noisy, no text layer",
                      scan_pdf(render_invoice_pdf(scanned), random.Random(112)), ("invoice", scanned))
    photo = invoice_record(random.Random(6))
    yield _SampleFile("invoice/invoice_photo.jpg", "phone photo of an invoice: tilted, unevenly lit, on a desk",
                      photo_jpeg(render_invoice_pdf(photo), random.Random(113)), ("invoice", photo))
    long = invoice_record(random.Random(3), n_lines=40)
    yield _SampleFile("invoice/invoice_multipage.pdf", "born-digital invoice whose line-item table continues on page 2",
                      render_invoice_pdf(long), ("invoice", long))
    tiff = invoice_record(random.Random(36), n_lines=30)
    yield _SampleFile("invoice/invoice_scan.tiff", "two-page invoice as a bilevel multi-frame TIFF (group 4)",
                      multipage_tiff(render_invoice_pdf(tiff)), ("invoice", tiff))
    msa = contract_record(random.Random(8), contract_type="master_services")
    yield _SampleFile("contract/contract_msa.pdf", "born-digital master services agreement, several pages",
                      render_contract_pdf(msa), ("contract", msa))
    nda = contract_record(random.Random(5), contract_type="non_disclosure")
    yield _SampleFile("contract/contract_nda_scanned.pdf", "scanned three-page non-disclosure agreement",
                      scan_pdf(render_contract_pdf(nda), random.Random(117)), ("contract", nda))
    yield from _bad_files(render_invoice_pdf(digital), render_contract_pdf(msa))


def _bad_files(invoice_pdf: bytes, contract_pdf: bytes) -> Iterator[_SampleFile]:
    yield _SampleFile("bad/empty.pdf", "zero bytes", b"")
    yield _SampleFile("bad/corrupt.pdf", "random bytes behind a %PDF-1.7 header",
                      b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + random.Random(21).randbytes(8192))
    yield _SampleFile("bad/truncated.pdf", "the contract PDF cut in half: no xref, no trailer",
                      contract_pdf[: len(contract_pdf) // 2])
    yield _SampleFile("bad/encrypted.pdf", f"AES-256 encrypted invoice, user password '{ENCRYPTED_PASSWORD}'",
                      invoice_pdf)
    yield _SampleFile("bad/notes.txt", "plain text, not a document", _NOTES.encode())
    yield _SampleFile("bad/bomb.png", "PNG declaring 20000 x 20000 pixels (400 MP) in 75 kB: a decompression bomb",
                      _bomb_png())
    yield _SampleFile("bad/too_many_pages.pdf", "valid 60-page PDF, over the default page cap of 50",
                      _many_pages_pdf())


def _truth_name(path: str) -> str:
    """truth/<subdir>__<file name>.json, e.g. truth/invoice__invoice_digital.pdf.json."""
    return path.replace("/", "__") + ".json"


def _write_truth(root: Path, path: str, schema: str, record: dict) -> None:
    (root / "truth").mkdir(parents=True, exist_ok=True)
    text = json.dumps({"schema": schema, "record": record}, indent=2, ensure_ascii=False) + "\n"
    (root / "truth" / _truth_name(path)).write_text(text, encoding="utf-8")


def write_starter_set(out: Path) -> None:
    """Write the committed sample set (documents, bad files, truth/, README.md) under `out`.

    Every file except bad/encrypted.pdf is byte-identical on every run; see `_write_encrypted`.
    """
    files = list(_starter_files())
    for file in files:
        target = out / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if file.path == "bad/encrypted.pdf":
            _write_encrypted(target, file.data)
        else:
            target.write_bytes(file.data)
        if file.truth:
            _write_truth(out, file.path, *file.truth)
    (out / "README.md").write_text(_readme(files), encoding="utf-8")


def _readme(files: list[_SampleFile]) -> str:
    rows = "\n".join(f"| `{f.path}` | {f.purpose} |" for f in files)
    return f"""# Sample documents

Synthetic invoices and contracts with ground truth, written by `pipeline/samples.py`. Everything
here is generated; do not edit by hand. Regenerate with:

    python -m pipeline.samples starter sample_docs

`tests/test_samples.py` checks that this reproduces the directory byte for byte (except
`bad/encrypted.pdf`, whose AES salts are random; an equivalent file is kept as it is).

| File | What it tests |
|---|---|
{rows}

`truth/<subdir>__<file name>.json` holds `{{"schema": ..., "record": ...}}` for every good document;
records are valid under `schemas/invoice.json` or `schemas/contract.json`. The files under `bad/`
must each end as one row in `errors`, with a reason.
"""


_GENERATORS: dict[str, tuple[Callable[[random.Random], dict], Callable[[dict], bytes]]] = {
    "invoice": (invoice_record, render_invoice_pdf),
    "contract": (contract_record, render_contract_pdf),
}


def write_batch(out: Path, count: int, seed: int = 0, schema: str = "invoice",
                scanned_share: float = 0.3) -> list[Path]:
    """Write `count` PDFs of one schema under out/<schema>/ with truth in out/truth/; returns their paths.

    round(count * scanned_share) of them are scanned (image-only), the rest born-digital. The same
    arguments give the same files.
    """
    make_record, render = _GENERATORS[schema]
    scanned = set(random.Random(seed).sample(range(count), round(count * scanned_share)))
    (out / schema).mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        rng = random.Random(f"{seed}/{i}")  # per document, so one document does not shift the others
        record = make_record(rng)
        pdf = render(record)
        kind = "scanned" if i in scanned else "digital"
        if kind == "scanned":
            pdf = scan_pdf(pdf, rng)
        path = f"{schema}/{schema}_{i:05d}_{kind}.pdf"
        (out / path).write_bytes(pdf)
        _write_truth(out, path, schema, record)
        paths.append(out / path)
    return paths


def main(argv: list[str] | None = None) -> None:
    """Command line: `starter [DIR]` writes the starter set, `batch DIR --count N` a benchmark batch."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.samples", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    starter = commands.add_parser("starter", help="write the committed starter set")
    starter.add_argument("out", type=Path, nargs="?", default=Path("sample_docs"))
    batch = commands.add_parser("batch", help="write a reproducible benchmark batch")
    batch.add_argument("out", type=Path)
    batch.add_argument("--count", type=int, default=200)
    batch.add_argument("--seed", type=int, default=0)
    batch.add_argument("--schema", choices=sorted(_GENERATORS), default="invoice")
    batch.add_argument("--scanned-share", type=float, default=0.3)
    args = parser.parse_args(argv)
    if args.command == "starter":
        write_starter_set(args.out)
    else:
        paths = write_batch(args.out, args.count, args.seed, args.schema, args.scanned_share)
        print(f"wrote {len(paths)} documents under {args.out}")


if __name__ == "__main__":
    main()
