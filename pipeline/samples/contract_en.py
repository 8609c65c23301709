"""English contract text."""

from __future__ import annotations

from .contract_text import ContractText, Plan, ScheduleText, Words, fixed, role_en


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


def _preamble(w: Words) -> list[tuple[str, str]]:
    r = w.record
    parties = [(f"({i + 1})", f'{party["name"]} ({w.register(party["name"])}), with its registered office at '
                              f'{party["address"]} (the "{party["role"]}")' + ("; and" if i == 0 else "."))
               for i, party in enumerate(r["parties"])]
    return [("", f'This {r["title"]} (the "Agreement") is entered into as of {w.date(r["effective_date"])} '
                 f'(the "Effective Date") by and between:'),
            *parties, ("", 'each a "Party" and together the "Parties".')]


def _clause_term(w: Words) -> tuple[str, list[str]]:
    r = w.record
    start = (f"This Agreement commences on the Effective Date and continues for an initial term of "
             f'{w.text.months(r["term_months"])}, ending on {w.date(r["expiry_date"])} (the "Initial Term").')
    if r["auto_renewal"]:
        renewal = ("Thereafter this Agreement renews automatically for successive renewal terms of twelve (12) "
                   "months each, unless either Party gives the other written notice of non-renewal at least "
                   f"{w.text.days(r['renewal_notice_days'])} before the end of the then-current term.")
    else:
        renewal = ("This Agreement does not renew automatically. Any extension beyond the Initial Term requires "
                   "a written amendment signed by authorised representatives of both Parties.")
    survival = ("Expiry or termination does not affect any rights or obligations accrued before it. Provisions "
                "that by their nature are intended to survive, including confidentiality and governing law, "
                "survive it.")
    return "Term and Renewal", [start, renewal, survival]


def _clause_fees(w: Words) -> tuple[str, list[str]]:
    r, f = w.record, w.fill
    if w.annual_fee:
        fee = (f"In consideration of the rights and deliveries under this Agreement, {f['r']} shall pay "
               f"{f['p']} an annual fee of {w.money()}, excluding value added tax and other applicable "
               f"taxes, invoiced annually in advance.")
    else:
        fee = (f"{f['R']} shall pay {f['p']} the fees set out in each order or Statement of "
               f"Work. The total fees payable during the Initial Term shall not exceed {w.money()} (the "
               f'"Contract Value"), excluding value added tax, unless the Parties agree otherwise in writing.')
    return "Fees and Payment", [
        fee,
        f"Payment terms: {r['payment_terms']}. Invoices shall state the contract reference and, where "
        f"applicable, the purchase order number of {f['r']}.",
        "Amounts not paid when due bear interest at the statutory rate for commercial transactions. "
        f"{f['R']} may dispute an invoice in good faith by written notice stating its reasons "
        "within fifteen (15) days of receipt, and shall pay the undisputed part on time.",
    ]


def _clause_law(w: Words) -> tuple[str, list[str]]:
    return "Governing Law and Jurisdiction", [
        f"This Agreement and any non-contractual obligations arising out of or in connection with it are "
        f"governed by and construed in accordance with {w.law}, excluding its conflict-of-laws rules "
        f"and the United Nations Convention on Contracts for the International Sale of Goods.",
        f"The courts of {w.court} have exclusive jurisdiction to settle any dispute arising out of or in "
        "connection with this Agreement, without prejudice to either Party's right to seek interim relief elsewhere.",
    ]


_CLAUSES = {
    "term": _clause_term,
    "fees": _clause_fees,
    "law": _clause_law,
    "definitions": fixed(
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
    "definitions_supply": fixed(
        "Definitions",
        '"Products" means the goods listed in the current price list of {p} as agreed with {r}, as amended '
        "from time to time in writing.",
        '"Order" means a purchase order for Products issued by {r} and accepted by {p} under this Agreement.',
        '"Forecast" means the non-binding rolling forecast of Product quantities that {r} provides monthly.'),
    "services": fixed(
        "Scope of Services",
        "{P} shall provide the Services described in each Statement of Work with due skill, care and "
        "diligence, in accordance with good industry practice and the applicable law.",
        "Each Statement of Work forms part of this Agreement. If a Statement of Work conflicts with these "
        "terms, these terms prevail unless the Statement of Work expressly states the clause it overrides.",
        "{R} shall provide timely access to its premises, systems, information and personnel as reasonably "
        "required, and {p} is not responsible for delays caused by a failure of {r} to do so."),
    "personnel": fixed(
        "Personnel and Subcontractors",
        "{P} shall assign suitably qualified and experienced personnel to the Services and shall replace any "
        "individual whom {r} reasonably considers unsuitable, at no additional cost.",
        "{P} may engage subcontractors only with the prior written consent of {r}, which shall not be "
        "unreasonably withheld. {P} remains responsible for the acts and omissions of its subcontractors."),
    "change": fixed(
        "Change Control",
        "Either Party may request a change to the scope of a Statement of Work by written change request. "
        "{P} shall respond within ten (10) Business Days with the impact on schedule and fees.",
        "No change is binding until both Parties have signed a change note describing it."),
    "confidentiality": fixed(
        "Confidentiality",
        "Each Party shall keep the Confidential Information of the other Party confidential, use it only to "
        "perform its obligations or exercise its rights under this Agreement, and disclose it only to its "
        "employees, advisers and subcontractors who need to know it and are bound by equivalent obligations.",
        "These obligations do not apply to information that is or becomes public other than through a breach "
        "of this Agreement, that was lawfully known to the receiving Party before disclosure, or that must be "
        "disclosed by law or by order of a competent authority."),
    "ip": fixed(
        "Intellectual Property",
        "Each Party retains all intellectual property rights it owned before the Effective Date or develops "
        "independently of this Agreement.",
        "On full payment of the applicable fees, {r} receives a non-exclusive, perpetual, worldwide licence to "
        "use the Deliverables for its internal business purposes. Rights in tools, methods and know-how of "
        "general application remain with {p}."),
    "warranties": fixed(
        "Warranties",
        "{P} warrants that the Services and Products will conform in all material respects to the agreed "
        "specifications for a period of ninety (90) days from delivery or acceptance, whichever is later.",
        "As its sole remedy for breach of this warranty, {r} may require {p} to re-perform the non-conforming "
        "Services or to repair or replace the non-conforming Products within a reasonable time.",
        "Except as expressly stated in this Agreement, all other warranties and conditions, whether express or "
        "implied, are excluded to the fullest extent permitted by law."),
    "liability": fixed(
        "Limitation of Liability",
        "Neither Party excludes or limits its liability for death or personal injury caused by negligence, "
        "for fraud, or for any other liability that cannot be limited by law.",
        "Subject to the preceding sentence, neither Party is liable for any loss of profit, revenue, data or "
        "goodwill, or for any indirect or consequential loss, and the total liability of each Party under "
        "this Agreement in any contract year is limited to the fees paid or payable in that year."),
    "data": fixed(
        "Data Protection",
        "Where {p} processes personal data on behalf of {r}, it does so only on documented instructions of "
        "{r} and in accordance with the data processing terms annexed to this Agreement.",
        "{P} shall implement appropriate technical and organisational measures to protect personal data and "
        "shall notify {r} without undue delay, and in any case within forty-eight (48) hours, after becoming "
        "aware of a personal data breach."),
    "termination": fixed(
        "Termination",
        "Either Party may terminate this Agreement with immediate effect by written notice if the other Party "
        "commits a material breach that is not remedied within thirty (30) days of a written notice "
        "describing the breach, or if the other Party becomes insolvent or enters into liquidation.",
        "On termination, {r} shall pay for all Services performed and Products delivered up to the date of "
        "termination, and each Party shall return or destroy the Confidential Information of the other."),
    "force_majeure": fixed(
        "Force Majeure",
        "Neither Party is liable for a delay or failure to perform caused by events beyond its reasonable "
        "control, including natural disasters, epidemics, war, terrorism, labour disputes affecting third "
        "parties, and failures of public utilities or networks.",
        "The affected Party shall notify the other promptly and use reasonable efforts to mitigate the effect. "
        "If the event continues for more than sixty (60) days, either Party may terminate this Agreement by "
        "written notice."),
    "assignment": fixed(
        "Assignment",
        "Neither Party may assign or transfer this Agreement or any of its rights or obligations without the "
        "prior written consent of the other Party, except to an affiliate or to a successor of all or "
        "substantially all of its business, on written notice."),
    "notices": fixed(
        "Notices",
        "Notices under this Agreement must be in writing and delivered by hand, by registered mail or by "
        "email with confirmation of receipt to the address of the receiving Party stated above, or to another "
        "address notified in writing. A notice is deemed received on the Business Day after delivery."),
    "entire": fixed(
        "Entire Agreement and Amendments",
        "This Agreement, together with its annexes, constitutes the entire agreement between the Parties on its "
        "subject matter and supersedes all prior negotiations, representations and agreements.",
        "No amendment or waiver is effective unless made in writing and signed by both Parties. If any "
        "provision is held invalid, the remaining provisions remain in full force and effect."),
    "orders": fixed(
        "Forecasts and Orders",
        "{R} shall provide a rolling twelve-month Forecast on the first Business Day of each month. Forecasts "
        "are for planning purposes only and do not oblige {r} to purchase.",
        "{P} shall accept or reject each Order within three (3) Business Days. Accepted Orders are binding and "
        "may be changed or cancelled only by written agreement."),
    "delivery": fixed(
        "Delivery and Risk",
        "{P} shall deliver the Products DAP (Incoterms 2020) to the delivery address stated in the Order, on "
        "the confirmed delivery date, packed to protect them from damage in transit.",
        "Risk passes to {r} on delivery; title passes on full payment. If {p} misses a confirmed delivery date "
        "by more than five (5) Business Days, {r} may cancel the affected Order without liability."),
    "quality": fixed(
        "Quality and Inspection",
        "{P} shall maintain a quality management system certified to ISO 9001 throughout the term and shall "
        "allow {r} to audit it on reasonable notice, not more than once a year.",
        "{R} shall inspect the Products within ten (10) Business Days of delivery and notify visible defects "
        "in writing within that period; hidden defects shall be notified promptly after discovery."),
    "grant": fixed(
        "Grant of License",
        "Subject to payment of the fees, {p} grants {r} a non-exclusive, non-transferable licence during the "
        "term to install and use the software for its internal business purposes, within the licensed number "
        "of named users stated in the order form.",
        "{R} may make a reasonable number of copies for backup and testing. All rights not expressly granted "
        "are reserved by {p}."),
    "restrictions": fixed(
        "Restrictions",
        "{R} shall not sublicense, rent or lease the software, make it available to third parties as a "
        "service, or decompile, disassemble or reverse engineer it except to the extent permitted by law.",
        "{R} shall not remove proprietary notices and shall keep accurate records of the users of the "
        "software, which {p} may audit once a year on thirty (30) days' notice."),
    "support": fixed(
        "Support and Updates",
        "{P} shall provide second-level support by email and telephone on Business Days between 08:00 and "
        "18:00 local time, and shall make updates and new releases available at no extra charge.",
        "{P} shall respond to critical incidents within four (4) hours and use reasonable efforts to provide a "
        "workaround or fix within two (2) Business Days."),
    "independent": fixed(
        "Independent Contractor",
        "{P} acts as an independent contractor. Nothing in this Agreement creates an employment relationship, "
        "partnership or joint venture, and {p} is responsible for its own taxes and social security "
        "contributions.",
        "{P} determines the manner and time of performing the services, subject to the milestones agreed with "
        "{r}, and may work for other clients provided this does not create a conflict of interest."),
    "nda_purpose": fixed(
        "Purpose",
        "The Parties intend to evaluate a possible business relationship (the \"Purpose\"). For the Purpose, "
        "{p} may disclose Confidential Information to {r} under the terms of this Agreement."),
    "nda_definition": fixed(
        "Confidential Information",
        '"Confidential Information" means all information disclosed by or on behalf of {p} to {r}, whether '
        "before or after the Effective Date, in writing, orally, electronically or by inspection, including "
        "business plans, customer and supplier data, pricing, technical data, source code, designs and "
        "know-how, and all notes, analyses and copies that contain or reflect such information.",
        "Information disclosed orally is Confidential Information if it is identified as confidential at the "
        "time of disclosure or if its confidential nature is evident from the circumstances."),
    "nda_obligations": fixed(
        "Obligations of the Recipient",
        "{R} shall keep the Confidential Information strictly confidential, use it solely for the Purpose, "
        "and protect it with at least the same degree of care it uses for its own confidential information, "
        "and in no case less than reasonable care.",
        "{R} may disclose Confidential Information only to its directors, employees and professional advisers "
        "who need to know it for the Purpose and who are bound by confidentiality obligations no less "
        "protective than those in this Agreement. {R} is liable for any breach by such persons.",
        "{R} shall notify {p} promptly in writing on becoming aware of any unauthorised use or disclosure of "
        "Confidential Information and shall cooperate to limit its consequences."),
    "nda_exclusions": fixed(
        "Exclusions",
        "The obligations in this Agreement do not apply to information that {r} can show by written records "
        "(a) is or becomes generally available to the public other than through a breach of this Agreement, "
        "(b) was lawfully in its possession before disclosure by {p}, (c) is lawfully received from a third "
        "party without a duty of confidentiality, or (d) is independently developed without use of the "
        "Confidential Information."),
    "nda_compelled": fixed(
        "Compelled Disclosure",
        "If {r} is required by law, regulation or order of a court or authority to disclose Confidential "
        "Information, it shall, where legally permitted, give {p} prompt written notice so that {p} may seek a "
        "protective order, and shall disclose only the part that it is legally required to disclose."),
    "nda_return": fixed(
        "Return and Destruction",
        "On written request of {p}, and in any case at the end of the term, {r} shall promptly return or "
        "destroy all Confidential Information and confirm this in writing, except for copies that it must "
        "retain by law or that are held in routine electronic backups, which remain subject to this Agreement."),
    "nda_no_licence": fixed(
        "No Licence and No Warranty",
        "All Confidential Information remains the property of {p}. No licence under any patent, copyright or "
        "other intellectual property right is granted or implied by this Agreement.",
        "Confidential Information is provided \"as is\". {P} makes no warranty as to its accuracy or "
        "completeness, and neither Party is obliged to enter into any further agreement."),
    "nda_remedies": fixed(
        "Remedies",
        "{R} acknowledges that damages alone may not be an adequate remedy for a breach of this Agreement and "
        "that {p} is entitled to seek injunctive relief and specific performance in addition to any other "
        "remedy available at law."),
}


_PHRASES = {
    "reference": "Contract reference {reference}",
    "heading": "{n}. {heading}",
    "article": "Article {n} - {heading}",
    "sub": "{n}.{k}",
    "witness": "IN WITNESS WHEREOF the Parties have caused this Agreement to be executed by their duly "
               "authorised representatives on the dates written below.",
    "sign_for": "For and on behalf of", "sign_name": "Name", "sign_title": "Title", "sign_date": "Date",
    "footer": "{title} | {reference} | Confidential",
    "page": "Page {n} of {count}",
    "cover_parties": "Parties", "cover_party": "Party", "cover_role": "Role", "cover_address": "Registered address",
    "cover_terms": "Key terms", "cover_effective": "Effective date", "cover_term": "Initial term",
    "cover_expiry": "End of initial term", "cover_value": "Contract value", "cover_payment": "Payment terms",
    "cover_renewal": "Renewal", "cover_reference": "Reference", "not_stated": "Not stated",
    "renewal_yes": "Automatic, unless notice is given {days} before the end of the term",
    "renewal_no": "No automatic renewal",
    "cover_note": "The Parties agree to the terms and conditions set out on the following pages.",
    "letter_subject": "Re: {title}",
    "letter_opening": "Dear Sir or Madam,",
    "letter_intro": 'We are pleased to confirm the terms on which {first} (the "{first_role}") and {second} '
                    '(the "{second_role}") will work together with effect from {date} (the "Effective Date"). '
                    'This letter sets out the agreement between us (the "Agreement").',
    "letter_terms": "The Parties agree as follows:",
    "letter_closing": "Please confirm your agreement to these terms by signing and returning the enclosed copy "
                      "of this letter.",
    "letter_yours": "Yours faithfully,",
    "letter_accept": "Agreed and accepted for and on behalf of",
}

_PLAN = Plan(
    "Implementation Plan",
    "The Parties shall perform this Agreement in the work packages described in this clause. The project plan "
    "agreed at the kick-off meeting sets the dates of each work package.",
    "Work package {n}: {name}",
    ("Kick-off and governance", "Requirements and specifications", "Solution design", "Data migration",
     "Interfaces to existing systems", "Pilot phase", "Testing and quality assurance", "Training of key users",
     "Roll-out to all sites", "Go-live support", "Operations handover", "Documentation", "Security review",
     "Reporting", "Continuous improvement", "Annual review"),
    ("{P} shall complete the work package {name} within {weeks} weeks of its written release by {r}.",
     "The results of {name} are documented in a report that {r} shall review within ten (10) Business Days.",
     "{P} shall assign at least {people} qualified team members to {name} and name a responsible lead.",
     "Acceptance of {name} takes place by a written acceptance statement once the agreed criteria are met.",
     "Changes to the scope of {name} are handled exclusively through the change control procedure.",
     "{R} shall provide the information, access and test data required for {name} in good time.",
     "Progress on {name} is reported to the steering committee every two weeks, including risks, open issues "
     "and the next steps.",
     "Any delay in {name} caused by missing contributions of {r} extends the agreed deadlines accordingly."),
)

_SCHEDULES = ScheduleText(
    definitions_heading="Definitions and Interpretation",
    definitions=(
        '"Affiliate" means any entity that directly or indirectly controls, is controlled by or is under common '
        "control with a Party, where control means holding more than fifty per cent (50%) of the voting rights.",
        '"Applicable Law" means all laws, regulations, binding codes of practice and orders of any competent '
        "authority that apply to a Party or to the performance of this Agreement.",
        '"Business Day" means a day other than a Saturday, Sunday or public holiday in the place where {p} has its '
        "registered office.",
        '"Change Request" means a written request to change the scope, schedule or charges of this Agreement '
        "under the change control procedure.",
        '"Charges" means the fees and prices payable by {r} under this Agreement, as set out in the Price List.',
        '"Confidential Information" means any information disclosed by one Party to the other, in any form, that '
        "is marked as confidential or that a reasonable person would understand to be confidential.",
        '"Deliverables" means all documents, software, reports, goods and other materials that {p} provides to {r} '
        "under this Agreement.",
        '"Documentation" means the user guides, specifications and operating manuals that {p} makes available for '
        "the Services or Products.",
        '"Good Industry Practice" means the degree of skill, care, prudence and foresight that would reasonably be '
        "expected from a skilled and experienced provider of similar services or products.",
        '"Incident" means any event that interrupts or degrades, or may interrupt or degrade, the Services or the '
        "use of the Products.",
        '"Intellectual Property Rights" means patents, rights in inventions, copyright, trade marks, design rights, '
        "database rights, rights in know-how and all similar rights anywhere in the world.",
        '"Key Personnel" means the individuals whom {p} names as essential to the performance of this Agreement.',
        '"Milestone" means an event or date by which a Deliverable or a work package is to be completed, as set out '
        "in the Implementation Plan.",
        '"Personal Data" has the meaning given to it in the applicable data protection legislation.',
        '"Price List" means the prices set out in the Schedule of that name, as adjusted in accordance with this '
        "Agreement.",
        '"Schedule" means a schedule to this Agreement, which forms part of it.',
        '"Service Credit" means the reduction of the Charges that applies when a Service Level is not met.',
        '"Service Levels" means the performance standards set out in the Schedule of that name.'),
    interpretation=(
        "In this Agreement headings are for convenience only and do not affect its interpretation; words in the "
        "singular include the plural and vice versa; and the words including and in particular are illustrative "
        "and do not limit the words before them.",
        "If a clause of this Agreement conflicts with a Schedule, the clause prevails, unless the Schedule "
        "expressly states the clause it overrides."),
    schedules_heading="Schedules",
    schedules_intro="The following Schedules form part of this Agreement: {names}.",
    schedules_review="The Parties shall review the Schedules at least once a year. A Schedule may be amended only "
                     "by a Change Request signed by both Parties.",
    schedule="Schedule {n}: {name}",
    names={"service_levels": "Service Levels", "escalation": "Escalation Procedure", "price_list": "Price List",
           "plan": "Implementation Plan"},
    intros={
        "service_levels": "{P} shall meet the following Service Levels in each calendar month. Performance is "
                          "measured by {p} and reported to {r} in the monthly service report. Service Credits are "
                          "deducted from the next invoice and are not a penalty.",
        "escalation": "Issues and disputes that cannot be resolved at the operational level are escalated as "
                      "follows. Each level shall meet within the response time stated before the next level is "
                      "involved.",
        "price_list": "The following prices apply from the Effective Date, excluding value added tax. Prices are "
                      "fixed for the first twelve (12) months and may afterwards be adjusted once a year by written "
                      "notice of at least three (3) months.",
        "plan": "The Parties shall perform this Agreement in the work packages described in this Schedule. The "
                "project plan agreed at the kick-off meeting sets the dates of each work package."},
    service_level_columns=("Service", "Measure", "Target", "Service credit"),
    service_levels={
        "availability": ("Production service", "Monthly availability", "99.5%",
                         "2% of the monthly charges per 0.5% below target"),
        "p1_response": ("Priority 1 incident", "Response time", "30 minutes",
                        "1% of the monthly charges per hour late"),
        "p1_resolution": ("Priority 1 incident", "Resolution or workaround", "4 hours",
                          "2% of the monthly charges per hour late"),
        "p2_response": ("Priority 2 incident", "Response time", "2 hours", "0.5% of the monthly charges per breach"),
        "p2_resolution": ("Priority 2 incident", "Resolution or workaround", "1 Business Day",
                          "1% of the monthly charges per breach"),
        "p3_resolution": ("Priority 3 incident", "Resolution", "5 Business Days", "none; reported monthly"),
        "service_desk": ("Service desk", "Calls answered within 60 seconds", "90%", "none; reported monthly"),
        "delivery": ("Deliveries", "Delivered complete on the confirmed date", "98%",
                     "1% of the value of the late delivery per day"),
        "confirmation": ("Order confirmation", "Orders confirmed within 3 Business Days", "99%",
                         "none; reported monthly"),
        "quality": ("Quality", "Defective units per million", "below 500", "replacement free of charge"),
        "reporting": ("Reporting", "Monthly service report delivered", "by the 10th Business Day", "none"),
        "satisfaction": ("Satisfaction", "Annual user survey", "at least 4 of 5", "improvement plan within 30 days")},
    escalation_columns=("Level", "Response time"),
    escalation=(("Service desk", "IT service desk", "4 hours"),
                ("Service manager", "Contract manager", "2 Business Days"),
                ("Account director", "Head of department", "5 Business Days"),
                ("Executive sponsor", "Executive sponsor", "10 Business Days")),
    price_columns=("Item no.", "Description", "Unit", "Unit price ({currency})"),
    lump="lump sum",
    model="type {code}",
    final="Final Provisions",
)

TEXT = ContractText(
    titles={"master_services": ("Master Services Agreement",),
            "non_disclosure": ("Non-Disclosure Agreement", "Confidentiality Agreement"),
            "supply": ("Supply Agreement", "Framework Supply Agreement"),
            "license": ("Software License Agreement", "Subscription License Agreement"),
            "consulting": ("Consulting Agreement",)},
    roles={"master_services": (role_en("Supplier"), role_en("Customer")),
           "non_disclosure": (role_en("Discloser"), role_en("Recipient")),
           "supply": (role_en("Supplier"), role_en("Buyer")),
           "license": (role_en("Licensor"), role_en("Licensee")),
           "consulting": (role_en("Consultant"), role_en("Client"))},
    job_titles=tuple((title, title) for title in (
        "Chief Executive Officer", "Managing Director", "Chief Financial Officer", "General Counsel",
        "Head of Procurement", "Chief Operating Officer", "Director of Legal Affairs", "Chief Technology Officer",
        "Head of Finance")),
    payment_terms=("Net 30 from the date of invoice", "Net 45 from receipt of a valid invoice",
                   "Net 60 from the date of invoice", "within 30 days of the invoice date"),
    clauses=_CLAUSES,
    phrases=_PHRASES,
    plan=_PLAN,
    schedules=_SCHEDULES,
    preamble=_preamble,
    months=lambda n: f"{_words(n)} ({n}) months",
    days=lambda n: f"{_words(n)} ({n}) days",
)
