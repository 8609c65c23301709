"""Ground-truth records: dicts valid under schemas/invoice.json and schemas/contract.json.

Values are normalised the way the schemas want them (ISO dates, dot decimals, ISO codes); the
strings a document prints verbatim (line descriptions, payment terms, titles, roles, addresses)
are in the document's language, exactly as the renderers will print them.
"""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .contract_text import CONTRACT_KINDS, ContractKind, text_of
from .locales import INVOICE_PAYMENT_TERMS, month_year, one_line_address
from .reference import (CATALOG, COMPANIES, COUNTRIES, EU, FEMALE_NAMES, FIRST_NAMES, LAST_NAMES, Company, Item,
                        name_pool, writers_of)

CENT = Decimal("0.01")


def iban(country: str, bban: str) -> str:
    """An IBAN with valid ISO 13616 check digits for a country code and a domestic account (BBAN)."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def tax_rate(seller: Company, buyer: Company) -> Decimal:
    """Domestic sales carry the seller's standard rate; cross-border B2B sales none (EU reverse charge, export)."""
    return COUNTRIES[seller.country].tax_rate if seller.country == buyer.country else Decimal(0)


def add_months(day: date, months: int) -> date:
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


# --- invoices ----------------------------------------------------------------------------------

def invoice_record(rng: random.Random, n_lines: int | None = None, language: str = "en") -> dict:
    """A ground-truth invoice record, valid under schemas/invoice.json and arithmetically consistent.

    The seller is a company that writes `language`; descriptions and payment terms are in it.
    `n_lines` fixes the number of line items (default: 1 to 8); about 40 spill onto a second page.
    """
    seller = rng.choice(writers_of(language))
    buyer = _pick_counterparty(rng, seller)
    issue = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
    days = rng.choice((14, 30, 30, 45, 60))
    items = _line_items(rng, seller, issue, n_lines or rng.randint(1, 8), language)
    subtotal = sum((Decimal(item["amount"]) for item in items), Decimal("0.00"))
    tax = (subtotal * tax_rate(seller, buyer) / 100).quantize(CENT, ROUND_HALF_UP)
    reverse_charge = seller.country in EU and buyer.country in EU and seller.country != buyer.country
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
        "payment_terms": rng.choice(INVOICE_PAYMENT_TERMS[language]).format(d=days),
        "iban": iban(seller.country, seller.bban) if seller.bban else None,
        "purchase_order": _purchase_order(rng, issue),
    }


def _pick_counterparty(rng: random.Random, first: Company) -> Company:
    """Mostly a domestic counterparty (so VAT is charged), sometimes a foreign one."""
    others = [c for c in COMPANIES if c is not first]
    domestic = [c for c in others if c.country == first.country]
    return rng.choice(domestic if domestic and rng.random() < 0.6 else others)


def _line_items(rng: random.Random, seller: Company, issue: date, count: int, language: str) -> list[dict]:
    pool = [item for category in seller.categories for item in CATALOG[category]]
    lines = []
    for _ in range(count):
        item = rng.choice(pool)
        if "{" not in item.texts[0]:
            pool.remove(item)  # a fixed text is billed once; every category also has lines with references
        lines.append(_line_item(rng, item, issue, language))
    return lines


def _line_item(rng: random.Random, item: Item, issue: date, language: str) -> dict:
    period = issue.replace(day=1) - timedelta(days=1)  # billed for the month before the invoice
    text = item.text(language).format(period=month_year(period, language), sku=rng.randint(10000, 99999),
                                      week=rng.randint(1, 52))
    if item.quantity == "lump":
        return {"description": text, "quantity": None, "unit_price": None,
                "amount": str(Decimal(rng.randint(item.low, item.high)) / 100)}
    quantity = {"int": lambda: Decimal(rng.randint(1, item.most)),
                "half": lambda: Decimal(rng.randint(1, 2 * item.most)) / 2,
                "one": lambda: Decimal(1)}[item.quantity]()
    price = Decimal(rng.randint(item.low // item.step, item.high // item.step) * item.step) / 100
    return {"description": text, "quantity": format(quantity.normalize(), "f"),
            "unit_price": str(price.quantize(CENT)), "amount": str((quantity * price).quantize(CENT, ROUND_HALF_UP))}


def unit_of(description: str, seller: Company, language: str) -> str:
    """The catalogue unit of a line, found again from its description (the record has no unit field)."""
    for category in seller.categories:
        for item in CATALOG[category]:
            if description.startswith(item.text(language).split("{")[0]):
                return item.unit
    return ""


def _invoice_currency(rng: random.Random, seller: Company, buyer: Company) -> str:
    home, away = COUNTRIES[seller.country].currency, COUNTRIES[buyer.country].currency
    return away if home != away and rng.random() < 0.3 else home


def _party(company: Company, tax_id: str | None) -> dict:
    return {"name": company.name, "tax_id": tax_id,
            "address": {"street": company.street, "city": company.city, "postal_code": company.postal_code,
                        "country": company.country}}


def _purchase_order(rng: random.Random, issue: date) -> str | None:
    return rng.choice((None, f"PO-{rng.randint(100000, 999999)}", f"45{rng.randint(10**7, 10**8 - 1)}",
                       f"PO {issue.year}/{rng.randint(100, 9999)}"))


# --- contracts ---------------------------------------------------------------------------------

def contract_record(rng: random.Random, contract_type: str | None = None, language: str = "en") -> dict:
    """A ground-truth contract record, valid under schemas/contract.json; expiry follows from the term.

    `contract_type` picks the kind (default: random among master_services, non_disclosure, supply,
    license, consulting). The provider writes `language`; titles, roles, addresses, job titles and
    payment terms are in it. governing_law is recorded by its English name ("Germany").
    """
    kind_name = contract_type or rng.choice(sorted(CONTRACT_KINDS))
    kind = CONTRACT_KINDS[kind_name]
    text = text_of(language)
    provider = rng.choice([c for c in writers_of(language) if kind.provider_categories & set(c.categories)])
    recipient = _pick_counterparty(rng, provider)
    effective = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
    if rng.random() < 0.6:
        effective = effective.replace(day=1)  # most contracts start on the first of a month
    term = rng.choice(kind.terms)
    renews = rng.random() < kind.renewal_share
    roles = text.roles[kind_name]
    pairs = [(provider, roles[0].name), (recipient, roles[1].name)]
    if rng.random() < 0.4:
        pairs.reverse()  # the customer is often introduced first
    value = _contract_value(rng, kind)
    return {
        "title": rng.choice(text.titles[kind_name]),
        "contract_type": kind_name,
        "parties": [{"name": c.name, "role": role, "address": one_line_address(c, language)} for c, role in pairs],
        "effective_date": effective.isoformat(),
        "expiry_date": (add_months(effective, term) - timedelta(days=1)).isoformat(),
        "term_months": term,
        "auto_renewal": renews,
        "renewal_notice_days": rng.choice((30, 60, 90, 90, 180)) if renews else None,
        "governing_law": (provider if rng.random() < 0.8 else recipient).law,
        "payment_terms": rng.choice(text.payment_terms) if kind.value else None,
        "contract_value": value,
        "currency": COUNTRIES[provider.country].currency if value else None,
        "signatories": [s for c, _ in pairs for s in _signatories(rng, c, effective, text.job_titles)],
    }


def _contract_value(rng: random.Random, kind: ContractKind) -> str | None:
    if kind.value is None:
        return None
    return str(Decimal(rng.randint(*kind.value_range) * 1000 + rng.choice((0, 0, 500))).quantize(CENT))


def _signatories(rng: random.Random, company: Company, effective: date,
                 job_titles: tuple[tuple[str, str], ...]) -> list[dict]:
    pool = name_pool(company)
    people = []
    for _ in range(2 if rng.random() < 0.2 else 1):
        first, last = rng.choice(FIRST_NAMES[pool]), rng.choice(LAST_NAMES[pool])
        title = rng.choice(job_titles)[first in FEMALE_NAMES] if rng.random() < 0.9 else None
        people.append({"name": f"{first} {last}", "title": title, "party": company.name,
                       "signed_date": (effective - timedelta(days=rng.randint(0, 12))).isoformat()})
    return people
