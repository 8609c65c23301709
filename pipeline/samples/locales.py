"""How documents print things in each language and country: labels, numbers, dates, addresses.

Truth records stay normalised (ISO dates, dot decimals, ISO codes); only the printed text is localised.
Numbers follow the issuing company's country (a German company writing English still prints
"1.234,50"); words, month names and labels follow the document's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from ..evidence import MONTHS  # the month names evidence finds are the ones documents print
from .reference import COUNTRIES, LANGUAGES, Company

SEPARATORS = {"en": (",", "."), "de": (".", ","), "fr": (" ", ","), "ch": ("'", ".")}

DATE_STYLES: dict[str, Callable[[date, str], str]] = {
    "dmy.": lambda d, _: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "dmy/": lambda d, _: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "dmy-": lambda d, _: f"{d.day:02d}-{d.month:02d}-{d.year}",
    "iso": lambda d, _: d.isoformat(),
    "d month y": lambda d, language: long_date(d, language),
    "month d, y": lambda d, language: long_date(d, language, us=True),
}

COUNTRY_NAMES = {
    "en": {"DE": "Germany", "AT": "Austria", "CH": "Switzerland", "FR": "France", "BE": "Belgium",
           "NL": "Netherlands", "ES": "Spain", "IT": "Italy", "IE": "Ireland", "GB": "United Kingdom",
           "SE": "Sweden", "US": "United States", "MX": "Mexico"},
    "de": {"DE": "Deutschland", "AT": "Österreich", "CH": "Schweiz", "FR": "Frankreich", "BE": "Belgien",
           "NL": "Niederlande", "ES": "Spanien", "IT": "Italien", "IE": "Irland", "GB": "Vereinigtes Königreich",
           "SE": "Schweden", "US": "USA", "MX": "Mexiko"},
    "fr": {"DE": "Allemagne", "AT": "Autriche", "CH": "Suisse", "FR": "France", "BE": "Belgique",
           "NL": "Pays-Bas", "ES": "Espagne", "IT": "Italie", "IE": "Irlande", "GB": "Royaume-Uni",
           "SE": "Suède", "US": "États-Unis", "MX": "Mexique"},
    "es": {"DE": "Alemania", "AT": "Austria", "CH": "Suiza", "FR": "Francia", "BE": "Bélgica",
           "NL": "Países Bajos", "ES": "España", "IT": "Italia", "IE": "Irlanda", "GB": "Reino Unido",
           "SE": "Suecia", "US": "Estados Unidos", "MX": "México"},
}

# Governing law as recorded -> how each language names it where a contract says which law governs:
# en after "the laws of", de after "dem Recht", fr and es as the whole noun phrase.
JURISDICTIONS = {
    "Germany": ("Germany", "der Bundesrepublik Deutschland", "le droit allemand", "la legislación alemana"),
    "England and Wales": ("England and Wales", "von England und Wales", "le droit anglais",
                          "la legislación de Inglaterra y Gales"),
    "Washington": ("the State of Washington", "des Bundesstaates Washington", "le droit de l'État de Washington",
                   "la legislación del Estado de Washington"),
    "New York": ("the State of New York", "des Bundesstaates New York", "le droit de l'État de New York",
                 "la legislación del Estado de Nueva York"),
    "France": ("France", "der Französischen Republik", "le droit français", "la legislación francesa"),
    "Netherlands": ("the Netherlands", "der Niederlande", "le droit néerlandais", "la legislación neerlandesa"),
    "Switzerland": ("Switzerland", "der Schweiz", "le droit suisse", "la legislación suiza"),
    "Ireland": ("Ireland", "der Republik Irland", "le droit irlandais", "la legislación irlandesa"),
    "Austria": ("Austria", "der Republik Österreich", "le droit autrichien", "la legislación austriaca"),
    "Spain": ("Spain", "des Königreichs Spanien", "le droit espagnol", "la legislación española"),
    "Italy": ("Italy", "der Italienischen Republik", "le droit italien", "la legislación italiana"),
    "Sweden": ("Sweden", "des Königreichs Schweden", "le droit suédois", "la legislación sueca"),
    "Belgium": ("Belgium", "des Königreichs Belgien", "le droit belge", "la legislación belga"),
    "Mexico": ("the United Mexican States", "der Vereinigten Mexikanischen Staaten", "le droit mexicain",
               "la legislación de los Estados Unidos Mexicanos"),
}

UNITS = {
    "en": {"h": "h", "pcs": "pcs", "month": "month", "day": "day", "box": "box", "seat": "seat",
           "pallet": "pallet", "space": "space", "set": "set", "": ""},
    "de": {"h": "Std.", "pcs": "Stk.", "month": "Monat", "day": "Tag", "box": "Karton", "seat": "Lizenz",
           "pallet": "Palette", "space": "Platz", "set": "Satz", "": ""},
    "fr": {"h": "h", "pcs": "pce", "month": "mois", "day": "jour", "box": "carton", "seat": "licence",
           "pallet": "palette", "space": "empl.", "set": "kit", "": ""},
    "es": {"h": "h", "pcs": "ud.", "month": "mes", "day": "día", "box": "caja", "seat": "licencia",
           "pallet": "palé", "space": "plaza", "set": "kit", "": ""},
}

INVOICE_PAYMENT_TERMS = {
    "en": ("Net {d}", "{d} days net", "Payable within {d} days of invoice date"),
    "de": ("{d} Tage netto", "Zahlbar innerhalb von {d} Tagen ohne Abzug",
           "Zahlbar innerhalb von {d} Tagen nach Rechnungsdatum"),
    "fr": ("{d} jours net", "Paiement à {d} jours date de facture", "À régler sous {d} jours à réception de facture"),
    "es": ("{d} días netos", "Pago a {d} días fecha factura", "Pago a {d} días desde la fecha de factura"),
}

# Invoice labels. Keys are the same in every language.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "invoice": "Invoice", "bill_to": "Bill to", "from": "From", "invoice_no": "Invoice no.",
        "invoice_date": "Invoice date", "due_date": "Due date", "customer_no": "Customer no.", "your_po": "Your PO",
        "currency": "Currency", "pos": "#", "description": "Description", "quantity": "Qty", "unit": "Unit",
        "unit_price": "Unit price", "amount": "Amount", "subtotal": "Subtotal", "total": "Total",
        "amount_due": "Amount due", "payment_terms": "Payment terms", "summary": "Summary",
        "pay_by": "Please pay by {date}, quoting invoice no. {number}.",
        "reverse_charge": "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Council Directive "
                          "2006/112/EC).",
        "export": "Export of goods/services: no VAT or sales tax charged.",
        "bank_details": "Bank details", "bank": "Bank", "thanks": "Thank you for your business.",
        "page": "Page {n} of {count}", "continued": "Continued on next page",
        "continued_title": "Invoice {number} (continued)",
        "letter_opening": "Dear Sir or Madam,",
        "letter_body": "we hereby invoice you for the following goods and services:",
        "letter_closing": "Kind regards,", "phone": "Phone", "web": "Web", "contact": "Contact",
    },
    "de": {
        "invoice": "Rechnung", "bill_to": "Rechnungsempfänger", "from": "Absender", "invoice_no": "Rechnungsnr.",
        "invoice_date": "Rechnungsdatum", "due_date": "Fällig am", "customer_no": "Kundennr.",
        "your_po": "Ihre Bestellnr.", "currency": "Währung", "pos": "Pos.", "description": "Bezeichnung",
        "quantity": "Menge", "unit": "Einheit", "unit_price": "Einzelpreis", "amount": "Gesamtpreis",
        "subtotal": "Nettobetrag", "total": "Gesamtbetrag", "amount_due": "Zahlbetrag",
        "payment_terms": "Zahlungsbedingungen", "summary": "Übersicht",
        "pay_by": "Bitte überweisen Sie den Betrag bis zum {date} unter Angabe der Rechnungsnummer {number}.",
        "reverse_charge": "Steuerschuldnerschaft des Leistungsempfängers (Reverse Charge, Art. 196 "
                          "MwSt-Systemrichtlinie).",
        "export": "Nicht steuerbare Leistung bzw. steuerfreie Ausfuhr: keine Umsatzsteuer berechnet.",
        "bank_details": "Bankverbindung", "bank": "Bank", "thanks": "Vielen Dank für Ihren Auftrag.",
        "page": "Seite {n} von {count}", "continued": "Fortsetzung auf der nächsten Seite",
        "continued_title": "Rechnung {number} (Fortsetzung)",
        "letter_opening": "Sehr geehrte Damen und Herren,",
        "letter_body": "für unsere Lieferungen und Leistungen erlauben wir uns, Ihnen Folgendes in Rechnung zu "
                       "stellen:",
        "letter_closing": "Mit freundlichen Grüßen", "phone": "Telefon", "web": "Internet", "contact": "Kontakt",
    },
    "fr": {
        "invoice": "Facture", "bill_to": "Facturé à", "from": "Émetteur", "invoice_no": "N° de facture",
        "invoice_date": "Date de facture", "due_date": "Date d'échéance", "customer_no": "N° client",
        "your_po": "Votre commande", "currency": "Devise", "pos": "N°", "description": "Désignation",
        "quantity": "Qté", "unit": "Unité", "unit_price": "Prix unitaire HT", "amount": "Montant HT",
        "subtotal": "Total HT", "total": "Total TTC", "amount_due": "Net à payer",
        "payment_terms": "Conditions de paiement", "summary": "Récapitulatif",
        "pay_by": "Merci de régler avant le {date} en rappelant le numéro de facture {number}.",
        "reverse_charge": "Autoliquidation : TVA due par le preneur (art. 196 de la directive 2006/112/CE).",
        "export": "Exonération de TVA : prestation ou livraison hors du champ de la TVA.",
        "bank_details": "Coordonnées bancaires", "bank": "Banque", "thanks": "Nous vous remercions de votre confiance.",
        "page": "Page {n} sur {count}", "continued": "Suite page suivante",
        "continued_title": "Facture {number} (suite)",
        "letter_opening": "Madame, Monsieur,",
        "letter_body": "veuillez trouver ci-dessous le détail des prestations et fournitures facturées :",
        "letter_closing": "Cordialement,", "phone": "Tél.", "web": "Site", "contact": "Contact",
    },
    "es": {
        "invoice": "Factura", "bill_to": "Facturar a", "from": "Emisor", "invoice_no": "N.º de factura",
        "invoice_date": "Fecha de factura", "due_date": "Fecha de vencimiento", "customer_no": "N.º de cliente",
        "your_po": "Su pedido", "currency": "Moneda", "pos": "N.º", "description": "Descripción",
        "quantity": "Cant.", "unit": "Ud.", "unit_price": "Precio unit.", "amount": "Importe",
        "subtotal": "Base imponible", "total": "Total factura", "amount_due": "Importe a pagar",
        "payment_terms": "Forma de pago", "summary": "Resumen",
        "pay_by": "Rogamos realicen el pago antes del {date} indicando el número de factura {number}.",
        "reverse_charge": "Inversión del sujeto pasivo (art. 196 de la Directiva 2006/112/CE).",
        "export": "Operación exenta o no sujeta a IVA: exportación de bienes o servicios.",
        "bank_details": "Datos bancarios", "bank": "Banco", "thanks": "Gracias por su confianza.",
        "page": "Página {n} de {count}", "continued": "Continúa en la página siguiente",
        "continued_title": "Factura {number} (continuación)",
        "letter_opening": "Estimados señores:",
        "letter_body": "les facturamos los siguientes productos y servicios:",
        "letter_closing": "Atentamente,", "phone": "Tel.", "web": "Web", "contact": "Contacto",
    },
}


def format_amount(value: str | Decimal, country: str) -> str:
    """Print an amount with two decimals the way a document from `country` does ("1.234,50" in DE)."""
    thousands, decimal_mark = SEPARATORS[COUNTRIES[country].number_style]
    text = f"{Decimal(value):,.2f}"
    return text.replace(",", "\0").replace(".", decimal_mark).replace("\0", thousands)


def format_number(value: Decimal, country: str) -> str:
    """A quantity or rate with as few decimals as it has ("7,5" in DE, "12")."""
    return format(value.normalize(), "f").replace(".", SEPARATORS[COUNTRIES[country].number_style][1])


def format_date(day: date, country: str, language: str = "en") -> str:
    """Print a date the way a document from `country` in `language` does ("05.03.2025" in DE)."""
    return DATE_STYLES[COUNTRIES[country].date_style](day, language)


def long_date(day: date, language: str, us: bool = False) -> str:
    """A date written out, as contracts and letters do: "5 March 2025", "5. März 2025", "1er mars 2025"."""
    month = MONTHS[language][day.month - 1]
    if language == "de":
        return f"{day.day}. {month} {day.year}"
    if language == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    if language == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{month} {day.day}, {day.year}" if us else f"{day.day} {month} {day.year}"


def month_year(day: date, language: str) -> str:
    """A billing period: "March 2025", "März 2025", "mars 2025"."""
    return f"{MONTHS[language][day.month - 1]} {day.year}"


def percent(rate: Decimal, country: str, language: str) -> str:
    """A tax rate: "20%" in English, "19 %" in German, French and Spanish."""
    return format_number(rate, country) + ("%" if language == "en" else " %")


def tax_label(language: str, country: str) -> str:
    """The name of the tax an invoice from `country` charges: VAT, MwSt., TVA, IVA, sales tax."""
    if language == "en":
        return "Sales tax" if country == "US" else "VAT"
    if language == "de":
        return {"AT": "USt.", "CH": "MWST"}.get(country, "MwSt.")
    return {"fr": "TVA", "es": "IVA"}[language]


def tax_id_label(language: str, country: str) -> str:
    """The label in front of a tax number of a company from `country`."""
    if country == "US":
        return "EIN"
    if country == "MX":
        return "RFC"
    if country == "CH":
        return {"en": "VAT no.", "de": "MWST-Nr.", "fr": "N° TVA", "es": "N.º IVA"}[language]
    return {"en": "VAT ID", "de": "USt-IdNr.", "fr": "N° TVA", "es": "NIF"}[language]


def address_lines(company: Company, language: str) -> list[str]:
    """A postal address as printed, country name in `language`."""
    country = COUNTRY_NAMES[language][company.country]
    if company.country == "US":
        return [company.street, f"{company.city}, {company.region} {company.postal_code}", country]
    if company.country == "MX":
        return [company.street, f"{company.postal_code} {company.city}, {company.region}", country]
    if company.country in ("GB", "IE"):
        return [company.street, company.city, company.postal_code, country]
    return [company.street, f"{company.postal_code} {company.city}", country]


def one_line_address(company: Company, language: str) -> str:
    """The address on one line, as contracts state a registered office."""
    return ", ".join(address_lines(company, language))


def law_phrase(jurisdiction: str, language: str) -> str:
    """How a contract in `language` names the law of `jurisdiction` (a recorded governing_law value)."""
    name = JURISDICTIONS[jurisdiction][LANGUAGES.index(language)]
    return {"en": f"the laws of {name}", "de": f"dem Recht {name}"}.get(language, name)


def unit_name(unit: str, language: str) -> str:
    """A catalogue unit as printed in `language` ("Std.", "pce", "ud.")."""
    return UNITS[language][unit]


def labelled(label: str, value: str, language: str) -> str:
    """"Label: value"; French typography puts a space before the colon ("Nom : Dubois")."""
    return f"{label}{' : ' if language == 'fr' else ': '}{value}"


def iban_groups(iban: str) -> str:
    """An IBAN as printed, in groups of four."""
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
