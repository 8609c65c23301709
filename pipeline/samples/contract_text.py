"""What a contract says, per language: titles, roles, clauses and the phrases the layouts need.

Each `contract_<language>.py` module defines one `ContractText`. Clause templates name the parties
by role with placeholders: {p}/{r} the provider/recipient with article ("der Auftragnehmer"),
{P}/{R} the same capitalised, {p_acc} the German accusative, {p_to} the dative ("dem", "au",
"al"), {p_of} the genitive ("des", "du", "del"); likewise for r.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from .locales import format_amount, law_phrase, long_date
from .reference import CATALOG, Company, company


@dataclass(frozen=True)
class ContractKind:
    provider_categories: frozenset[str]
    terms: tuple[int, ...]  # initial term options, months
    renewal_share: float  # share of contracts that renew automatically
    value: str | None  # "total" | "annual" | None (no value stated)
    value_range: tuple[int, int] = (0, 0)  # thousands
    clauses: tuple[str, ...] = ()  # keys of ContractText.clauses, in document order; law comes last


CONTRACT_KINDS = {
    "master_services": ContractKind(
        frozenset({"it", "consulting", "facility"}), (12, 24, 36), 0.7, "total", (60, 900),
        ("definitions", "services", "personnel", "change", "term", "fees", "confidentiality", "ip",
         "warranties", "liability", "data", "termination", "force_majeure", "assignment", "notices",
         "entire", "law")),
    "non_disclosure": ContractKind(
        frozenset(CATALOG), (24, 36, 60), 0.0, None, (0, 0),
        ("nda_purpose", "nda_definition", "nda_obligations", "nda_exclusions", "nda_compelled", "nda_return",
         "nda_no_licence", "term", "nda_remedies", "assignment", "notices", "entire", "law")),
    "supply": ContractKind(
        frozenset({"industrial", "office", "print", "solar"}), (12, 24, 36), 0.6, "annual", (100, 2400),
        ("definitions_supply", "orders", "delivery", "quality", "term", "fees", "warranties", "liability",
         "termination", "force_majeure", "assignment", "notices", "entire", "law")),
    "license": ContractKind(
        frozenset({"it"}), (12, 36), 0.8, "annual", (12, 480),
        ("grant", "restrictions", "support", "term", "fees", "confidentiality", "ip", "warranties",
         "liability", "data", "termination", "assignment", "notices", "entire", "law")),
    "consulting": ContractKind(
        frozenset({"consulting", "design"}), (6, 12), 0.2, "total", (20, 180),
        ("services", "independent", "term", "fees", "confidentiality", "ip", "liability", "termination",
         "assignment", "notices", "entire", "law")),
}


@dataclass(frozen=True)
class Role:
    """A contract role and the forms a sentence needs it in."""

    name: str  # as the contract defines it and the record holds it: "Auftragnehmer"
    the: str  # with its article: "der Auftragnehmer", "le Fournisseur", "the Supplier"
    to: str  # dative or after "à" / "a": "dem Auftragnehmer", "au Fournisseur", "al Proveedor"
    of: str  # genitive or after "de": "des Auftragnehmers", "du Fournisseur", "del Proveedor"
    acc: str = ""  # German accusative; defaults to `the`


def role_en(name: str) -> Role:
    return Role(name, f"the {name}", f"the {name}", f"the {name}")


def role_fr(name: str, feminine: bool = False) -> Role:
    if name[0] in "AEIOUÉ":
        return Role(name, f"l'{name}", f"à l'{name}", f"de l'{name}")
    if feminine:
        return Role(name, f"la {name}", f"à la {name}", f"de la {name}")
    return Role(name, f"le {name}", f"au {name}", f"du {name}")


def role_es(name: str, feminine: bool = False) -> Role:
    if feminine:
        return Role(name, f"la {name}", f"a la {name}", f"de la {name}")
    return Role(name, f"el {name}", f"al {name}", f"del {name}")


Clause = Callable[["Words"], tuple[str, list[str]]]


def fixed(heading: str, *paragraphs: str) -> Clause:
    """A clause whose text only needs the party roles filled in."""
    def clause(words: Words) -> tuple[str, list[str]]:
        return heading, [paragraph.format(**words.fill) for paragraph in paragraphs]
    return clause


@dataclass(frozen=True)
class Plan:
    """Text of the long implementation-plan clause that makes a contract run to ten pages or more."""

    heading: str
    intro: str
    label: str  # "Work package {n}: {name}"
    names: tuple[str, ...]
    sentences: tuple[str, ...]  # may use {name}, {weeks}, {people} and the role placeholders


@dataclass(frozen=True)
class ScheduleText:
    """Text of the definitions clause and the schedules that make a contract run to 60 pages or more.

    Templates may use the role placeholders; `service_levels` rows are keyed (availability,
    p1_response, ..., see contract_schedules) so each contract type picks the ones that fit it.
    """

    definitions_heading: str
    definitions: tuple[str, ...]  # one defined term per paragraph, alphabetical in the language
    interpretation: tuple[str, ...]  # paragraphs after the definitions
    schedules_heading: str  # heading of the clause that lists the schedules
    schedules_intro: str  # "The following Schedules form part of this Agreement: {names}."
    schedules_review: str  # how the schedules are changed
    schedule: str  # "Schedule {n}: {name}"
    names: dict[str, str]  # service_levels, escalation, price_list: the schedule's name
    intros: dict[str, str]  # the same keys and plan: the paragraph under the schedule's heading
    service_level_columns: tuple[str, str, str, str]  # service, measure, target, service credit
    service_levels: dict[str, tuple[str, str, str, str]]
    escalation_columns: tuple[str, str]  # level, response time (the parties' roles head the middle columns)
    escalation: tuple[tuple[str, str, str], ...]  # the provider's contact, the recipient's, response time
    price_columns: tuple[str, str, str, str]  # item number, description, unit, "Unit price ({currency})"
    lump: str  # the unit of a lump-sum price: "lump sum", "pauschal"
    model: str  # "type {code}": a catalogue item's variants in the price list
    final: str  # heading over the governing-law clause when schedules come before it


@dataclass(frozen=True)
class ContractText:
    titles: dict[str, tuple[str, ...]]  # per contract type
    roles: dict[str, tuple[Role, Role]]  # per contract type: (provider, recipient)
    job_titles: tuple[tuple[str, str], ...]  # (a man's, a woman's)
    payment_terms: tuple[str, ...]
    clauses: dict[str, Clause]  # keys as in records.CONTRACT_KINDS; a language may leave some out
    phrases: dict[str, str]  # labels and sentence templates of the layouts (same keys in every language)
    plan: Plan
    schedules: ScheduleText
    preamble: Callable[["Words"], list[tuple[str, str]]]  # (label, paragraph) before the first clause
    months: Callable[[int], str]  # "twenty-four (24) months", "24 Monate"
    days: Callable[[int], str]


def text_of(language: str) -> ContractText:
    """The contract text of `language` (imported on first use: the modules are large)."""
    return importlib.import_module(f"{__package__}.contract_{language}").TEXT


@dataclass
class Words:
    """One contract record's facts, phrased in its language for clause templates and layouts."""

    record: dict
    language: str
    text: ContractText = field(init=False)
    provider: Role = field(init=False)
    recipient: Role = field(init=False)
    fill: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.text = text_of(self.language)
        self.provider, self.recipient = self.text.roles[self.record["contract_type"]]
        self.fill = {}
        for key, role in (("p", self.provider), ("r", self.recipient)):
            self.fill |= {key: role.the, key.upper(): _capital(role.the), f"{key}_to": role.to,
                          f"{key}_of": role.of, f"{key}_acc": role.acc or role.the}

    @property
    def home(self) -> Company:
        """The party that wrote the contract (its language is the document's): numbers and paper follow it."""
        parties = [company(party["name"]) for party in self.record["parties"]]
        return next((c for c in parties if self.language in ("en", c.language)), parties[0])

    @property
    def law_company(self) -> Company:
        """The party whose law governs (the record names the law, the renderer needs its courts' city)."""
        names = [party["name"] for party in self.record["parties"]]
        return next(company(n) for n in names if company(n).law == self.record["governing_law"])

    @property
    def law(self) -> str:
        return law_phrase(self.record["governing_law"], self.language)

    @property
    def court(self) -> str:
        return self.law_company.city

    @property
    def reference(self) -> str:
        title = self.record["title"].replace("-", " ")
        initials = "".join(w[0] for w in title.split() if w[0].isupper())[:4] or "C"
        return f"{initials}-{self.record['effective_date'][:4]}-{self.rng().randint(100, 999)}"

    @staticmethod
    def register(name: str) -> str:
        """The company-register line of a party, as its preamble entry quotes it."""
        return company(name).register

    def rng(self) -> random.Random:
        """Layout choices derive from the record, never from state."""
        return random.Random(self.record["effective_date"] + self.record["title"] + self.record["parties"][0]["name"])

    def date(self, iso: str) -> str:
        # Contracts spell dates out; under US law month first.
        us = self.language == "en" and self.law_company.country == "US"
        return long_date(date.fromisoformat(iso), self.language, us)

    @property
    def annual_fee(self) -> bool:
        """Whether the contract states an annual fee (else a total value)."""
        return CONTRACT_KINDS[self.record["contract_type"]].value == "annual"

    def money(self) -> str:
        amount = format_amount(self.record["contract_value"], self.home.country)
        return f"{self.record['currency']} {amount}" if self.language == "en" else f"{amount} {self.record['currency']}"

    def phrase(self, key: str, **values: object) -> str:
        return self.text.phrases[key].format(**self.fill, **values)

    def work_package(self, rng: random.Random, k: int) -> str:
        """Paragraph k (from 1) of an implementation plan: a work package in three template sentences.

        Names repeat with a cycle number after the last one ("Pilot phase 2"), so a plan can be any length.
        """
        plan = self.text.plan
        cycle, index = divmod(k - 1, len(plan.names))
        name = plan.names[index] + (f" {cycle + 1}" if cycle else "")
        sentences = [s.format(**self.fill, name=name, weeks=rng.randint(2, 12), people=rng.randint(2, 6))
                     for s in rng.sample(plan.sentences, 3)]
        return f"{plan.label.format(n=k, name=name)}. {' '.join(sentences)}"


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]
