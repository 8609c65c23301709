"""Business documents that are neither an invoice nor a contract: what `--schema auto` must leave unclassified.

A business letter (a holiday-closure notice or a new contact person) and a delivery note (goods
and quantities, no prices, no totals: the closest thing to an invoice that is not one), on the
letterhead of a company from the reference data, in any of LANGUAGES. They have no record; their
truth files say `"schema": null, "record": null`.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pymupdf

from . import draw
from .draw import GREY, INK, RULE, tint
from .locales import LABELS, address_lines, format_date, labelled, long_date, month_year, unit_name
from .reference import CATALOG, COMPANIES, COUNTRIES, FIRST_NAMES, LAST_NAMES, Company, name_pool, writers_of

_M = 56  # page margin


@dataclass(frozen=True)
class _Letter:
    subject: str
    paragraphs: tuple[str, ...]  # may use {start}, {end}, {reopen}, {phone}, {person}, {email}, {sender}


_LETTERS: dict[str, dict[str, _Letter]] = {
    "en": {
        "closure": _Letter("Opening hours over the holidays", (
            "We would like to thank you for the good cooperation over the past year. Please note that our offices "
            "and warehouse will be closed from {start} to {end}.",
            "Orders received during this period will be processed from {reopen}. For urgent technical questions "
            "our emergency line remains available on {phone}.",
            "We wish you and your team a restful break and look forward to working with you in the new year.")),
        "contact": _Letter("Your new contact person", (
            "We are pleased to let you know that from {start} {person} will be your personal contact at {sender}. "
            "All existing arrangements remain unchanged.",
            "{person} can be reached by telephone on {phone} and by email at {email}.",
            "We look forward to continuing our successful cooperation.")),
    },
    "de": {
        "closure": _Letter("Betriebsferien zum Jahreswechsel", (
            "wir bedanken uns herzlich für die gute Zusammenarbeit im zu Ende gehenden Jahr. Bitte beachten Sie, "
            "dass unser Büro und unser Lager vom {start} bis einschließlich {end} geschlossen sind.",
            "Bestellungen, die in diesem Zeitraum eingehen, bearbeiten wir ab dem {reopen}. Für dringende "
            "technische Anfragen erreichen Sie unseren Notdienst unter {phone}.",
            "Wir wünschen Ihnen und Ihrem Team erholsame Feiertage und freuen uns auf die weitere Zusammenarbeit "
            "im neuen Jahr.")),
        "contact": _Letter("Ihr neuer Ansprechpartner", (
            "wir freuen uns, Ihnen mitzuteilen, dass Sie ab dem {start} von {person} betreut werden. Die "
            "bisherigen Vereinbarungen mit {sender} bleiben unverändert bestehen.",
            "Sie erreichen {person} telefonisch unter {phone} und per E-Mail unter {email}.",
            "Wir freuen uns auf die weitere erfolgreiche Zusammenarbeit.")),
    },
    "fr": {
        "closure": _Letter("Fermeture annuelle de fin d'année", (
            "Nous vous remercions de votre confiance tout au long de l'année écoulée. Nous vous informons que nos "
            "bureaux et notre entrepôt seront fermés du {start} au {end} inclus.",
            "Les commandes reçues pendant cette période seront traitées à partir du {reopen}. Pour toute urgence "
            "technique, notre permanence reste joignable au {phone}.",
            "Nous vous souhaitons d'excellentes fêtes de fin d'année et nous réjouissons de poursuivre notre "
            "collaboration l'année prochaine.")),
        "contact": _Letter("Votre nouvel interlocuteur", (
            "Nous avons le plaisir de vous informer qu'à compter du {start}, {person} sera votre interlocuteur "
            "privilégié au sein de {sender}. Les accords en vigueur restent inchangés.",
            "Vous pouvez joindre {person} par téléphone au {phone} et par courriel à l'adresse {email}.",
            "Nous nous réjouissons de poursuivre notre collaboration.")),
    },
    "es": {
        "closure": _Letter("Cierre por vacaciones de fin de año", (
            "Les agradecemos la confianza depositada en nosotros durante el año que termina. Les informamos de "
            "que nuestras oficinas y nuestro almacén permanecerán cerrados del {start} al {end}, ambos inclusive.",
            "Los pedidos recibidos durante este periodo se tramitarán a partir del {reopen}. Para consultas "
            "técnicas urgentes, nuestro servicio de guardia está disponible en el {phone}.",
            "Les deseamos unas felices fiestas y esperamos seguir colaborando con ustedes el próximo año.")),
        "contact": _Letter("Su nuevo interlocutor", (
            "Nos complace comunicarles que a partir del {start} {person} será su persona de contacto en {sender}. "
            "Los acuerdos vigentes se mantienen sin cambios.",
            "Pueden contactar con {person} por teléfono en el {phone} o por correo electrónico en {email}.",
            "Esperamos seguir colaborando con éxito.")),
    },
}

_WORDS: dict[str, dict[str, str]] = {
    "en": {"delivery_note": "Delivery note", "note_no": "Delivery note no.", "delivery_date": "Delivery date",
           "order_no": "Your order", "ship_to": "Ship to", "item_no": "Item no.", "packages": "Packages",
           "weight": "Gross weight", "received": "Goods received complete and in good condition:",
           "signature": "Date, signature, stamp", "check": "Please check the goods on receipt and report any "
           "damage in transit within 3 days.", "team": "Customer Service", "subject": "Re: {subject}"},
    "de": {"delivery_note": "Lieferschein", "note_no": "Lieferschein-Nr.", "delivery_date": "Lieferdatum",
           "order_no": "Ihre Bestellung", "ship_to": "Lieferanschrift", "item_no": "Art.-Nr.", "packages": "Packstücke",
           "weight": "Bruttogewicht", "received": "Ware vollständig und in einwandfreiem Zustand erhalten:",
           "signature": "Datum, Unterschrift, Stempel", "check": "Bitte prüfen Sie die Ware bei Empfang und melden "
           "Sie Transportschäden innerhalb von 3 Tagen.", "team": "Kundenservice", "subject": "{subject}"},
    "fr": {"delivery_note": "Bon de livraison", "note_no": "N° de bon de livraison",
           "delivery_date": "Date de livraison", "order_no": "Votre commande", "ship_to": "Adresse de livraison",
           "item_no": "Référence", "packages": "Colis", "weight": "Poids brut",
           "received": "Marchandise reçue complète et en bon état :", "signature": "Date, signature, cachet",
           "check": "Merci de vérifier la marchandise à réception et de signaler tout dommage sous 3 jours.",
           "team": "Service client", "subject": "Objet : {subject}"},
    "es": {"delivery_note": "Albarán de entrega", "note_no": "N.º de albarán", "delivery_date": "Fecha de entrega",
           "order_no": "Su pedido", "ship_to": "Dirección de entrega", "item_no": "Referencia", "packages": "Bultos",
           "weight": "Peso bruto", "received": "Mercancía recibida completa y en buen estado:",
           "signature": "Fecha, firma y sello", "check": "Rogamos comprueben la mercancía a la recepción y "
           "comuniquen cualquier daño en un plazo de 3 días.", "team": "Atención al cliente",
           "subject": "Asunto: {subject}"},
}

_GOODS = ("office", "industrial", "print", "solar", "it")  # catalogue categories with goods to deliver


@dataclass(frozen=True)
class _Page:
    """What both layouts share: sender, addressee, language, the day the document is dated."""

    sender: Company
    addressee: Company
    language: str
    day: date

    def word(self, key: str, **values: object) -> str:
        return _WORDS[self.language][key].format(**values)

    def date(self, day: date) -> str:
        return format_date(day, self.sender.country, self.language)


def render_other_pdf(rng: random.Random, layout: str, language: str = "en") -> bytes:
    """A document of neither schema drawn from `rng`: one of OTHER_LAYOUTS, written in `language`."""
    doc = pymupdf.open()
    page = OTHER_LAYOUTS[layout](doc, rng, language)
    return draw.pdf_bytes(doc, page.word("delivery_note") if layout == "delivery_note" else "", page.sender.name,
                          page.day)


def _parties(rng: random.Random, language: str, categories: tuple[str, ...] = ()) -> tuple[Company, Company]:
    senders = [c for c in writers_of(language) if not categories or set(c.categories) & set(categories)]
    sender = rng.choice(senders)
    return sender, rng.choice([c for c in COMPANIES if c is not sender])


def _letterhead(page: draw.Canvas, sheet: _Page) -> float:
    """Sender block, rule, addressee and place and date; returns the y below."""
    sender, right = sheet.sender, page.rect.width - _M
    draw.text(page, _M, 62, sender.name, "hebo", 14, sender.colour)
    draw.text(page, _M, 76, " | ".join(address_lines(sender, sheet.language)), "helv", 7.5, GREY)
    draw.text(page, right, 62, sender.phone, "helv", 8, GREY, "right")
    draw.text(page, right, 74, f"www.{sender.web}", "helv", 8, GREY, "right")
    draw.rule(page, _M, right, 86, sender.colour, 1.2)
    y = 128
    for line in [sheet.addressee.name, *address_lines(sheet.addressee, sheet.language)]:
        draw.text(page, _M, y, line, "helv", 10)
        y += 13
    return y


def _footer(page: draw.Canvas, sheet: _Page) -> None:
    bottom = page.rect.height - 40
    draw.rule(page, _M, page.rect.width - _M, bottom - 12)
    parts = [sheet.sender.name, sheet.sender.register, f"www.{sheet.sender.web}"]
    draw.text(page, page.rect.width / 2, bottom, " | ".join(p for p in parts if p), size=7, colour=GREY,
              align="center")


def _business_letter(doc: pymupdf.Document, rng: random.Random, language: str) -> _Page:
    sender, addressee = _parties(rng, language)
    topic = rng.choice(sorted(_LETTERS[language]))
    year = rng.choice((2024, 2025))
    if topic == "closure":
        day = date(year, 12, rng.randint(1, 12))
        start, end = date(year, 12, rng.choice((22, 23, 24))), date(year + 1, 1, rng.choice((1, 2, 3)))
    else:  # from the first of next month
        day = date(year, rng.randint(1, 11), rng.randint(1, 28))
        start = end = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    sheet = _Page(sender, addressee, language, day)
    page = draw.Canvas(draw.new_page(doc, COUNTRIES[sender.country].paper))
    right = page.rect.width - _M
    y = _letterhead(page, sheet)
    draw.text(page, right, y + 24, f"{sender.city}, {long_date(day, language, sender.country == 'US')}", "helv", 10,
              align="right")
    letter = _LETTERS[language][topic]
    pool = name_pool(sender)
    first, last = rng.choice(FIRST_NAMES[pool]), rng.choice(LAST_NAMES[pool])
    person, signer = f"{first} {last}", f"{rng.choice(FIRST_NAMES[pool])} {rng.choice(LAST_NAMES[pool])}"
    reopen = end + timedelta(days=1)
    values = {"start": long_date(start, language), "end": long_date(end, language),
              "reopen": long_date(reopen, language),
              "phone": sender.phone, "person": person, "email": _email(first, last, sender), "sender": sender.name}
    y += 64
    draw.text(page, _M, y, sheet.word("subject", subject=letter.subject), "hebo", 11)
    y += 30
    opening = LABELS[language]["letter_opening"]  # German goes on in lower case after its comma
    for paragraph in [opening, *(p.format(**values) for p in letter.paragraphs)]:
        for line in draw.wrap(paragraph, "helv", 10, right - _M):
            draw.text(page, _M, y, line, "helv", 10)
            y += 14
        y += 8
    y += 6
    for line in (LABELS[language]["letter_closing"], "", sender.name, "", "", signer, sheet.word("team")):
        draw.text(page, _M, y, line, "hebo" if line == sender.name else "helv", 10, INK)
        y += 14
    _footer(page, sheet)
    page.commit()
    return sheet


def _email(first: str, last: str, company: Company) -> str:
    ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}".lower()).encode("ascii", "ignore").decode()
    return f"{ascii_name.replace(' ', '').replace(chr(39), '')}@{company.web}"


def _delivery_note(doc: pymupdf.Document, rng: random.Random, language: str) -> _Page:
    sender, addressee = _parties(rng, language, _GOODS)
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
    sheet = _Page(sender, addressee, language, day)
    page = draw.Canvas(draw.new_page(doc, COUNTRIES[sender.country].paper))
    right = page.rect.width - _M
    y = _letterhead(page, sheet)
    draw.text(page, right, 124, sheet.word("delivery_note").upper(), "hebo", 18, sender.colour, "right")
    details = [(sheet.word("note_no"), f"{rng.choice(('LS', 'DN', 'BL', 'AL'))}-{day.year}-{rng.randint(1000, 99999)}"),
               (sheet.word("delivery_date"), sheet.date(day)),
               (sheet.word("order_no"), f"PO-{rng.randint(100000, 999999)}"),
               (LABELS[language]["customer_no"], f"C-{rng.randint(10000, 99999)}")]
    for i, (label, value) in enumerate(details):
        draw.text(page, right - 200, 150 + 14 * i, label, "helv", 8.5, GREY)
        draw.text(page, right, 150 + 14 * i, value, "helv", 9, align="right")
    y = max(y, 150 + 14 * len(details)) + 18
    draw.text(page, _M, y, sheet.word("ship_to"), "hebo", 8.5, GREY)
    draw.text(page, _M + 110, y, ", ".join([addressee.name, *address_lines(addressee, language)[:2]]), "helv", 8.5)
    y = _delivery_table(page, sheet, rng, y + 22)
    packages, weight = rng.randint(1, 12), rng.randint(8, 900)
    draw.text(page, _M, y + 20, labelled(sheet.word("packages"), str(packages), language), "helv", 9)
    draw.text(page, _M + 150, y + 20, labelled(sheet.word("weight"), f"{weight} kg", language), "helv", 9)
    for i, line in enumerate(draw.wrap(sheet.word("check"), "heit", 8.5, right - _M)):
        draw.text(page, _M, y + 40 + 12 * i, line, "heit", 8.5, GREY)
    bottom = page.rect.height - 120
    draw.text(page, _M, bottom - 40, sheet.word("received"), "helv", 9)
    draw.rule(page, _M, _M + 240, bottom, INK, 0.6)
    draw.text(page, _M, bottom + 12, sheet.word("signature"), "helv", 7.5, GREY)
    _footer(page, sheet)
    page.commit()
    return sheet


def _delivery_table(page: draw.Canvas, sheet: _Page, rng: random.Random, y: float) -> float:
    """Position, item number, description, quantity and unit of 3-14 goods; no prices. Returns the y below."""
    right, language = page.rect.width - _M, sheet.language
    items = [item for category in sheet.sender.categories if category in _GOODS for item in CATALOG[category]
             if item.unit in ("pcs", "box", "set")]  # goods that travel: no hours, seats or months
    edges = [_M, _M + 34, _M + 100, right - 100, right - 45, right]
    labels = [LABELS[language]["pos"], sheet.word("item_no"), LABELS[language]["description"],
              LABELS[language]["quantity"], LABELS[language]["unit"]]
    draw.box(page, _M, y, right, y + 18, fill=tint(sheet.sender.colour, 0.85))
    for i, label in enumerate(labels):
        x, align = (edges[i + 1] - 4, "right") if i == 3 else (edges[i] + 4, "left")
        draw.text(page, x, y + 12.5, label, "hebo", 8.5, align=align)
    y += 18
    month = month_year(sheet.day, language)
    for number in range(1, rng.randint(3, 14) + 1):
        item = rng.choice(items)
        sku = rng.randint(10000, 99999)
        description = item.text(language).format(sku=sku, week=rng.randint(1, 52), period=month)
        cells = [str(number), str(sku), description, str(rng.randint(1, item.most)), unit_name(item.unit, language)]
        lines = draw.wrap(description, "helv", 8.5, edges[3] - edges[2] - 8)
        for i, value in enumerate(cells):
            x, align = (edges[i + 1] - 4, "right") if i == 3 else (edges[i] + 4, "left")
            for j, line in enumerate(lines if i == 2 else [value]):
                draw.text(page, x, y + 13 + 11 * j, line, "helv", 8.5, GREY if i == 0 else INK, align)
        y += 11 * len(lines) + 8
        draw.rule(page, _M, right, y, RULE, 0.5)
    return y


OTHER_LAYOUTS: dict[str, Callable[[pymupdf.Document, random.Random, str], _Page]] = {
    "business_letter": _business_letter,
    "delivery_note": _delivery_note,
}
"""Layouts of documents of neither schema, by the name truth files record."""
