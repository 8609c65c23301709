"""German contract text (simplified, in the style of a German commercial contract)."""

from __future__ import annotations

from .contract_text import ContractText, Plan, ScheduleText, Role, Words, fixed


def _role(name: str, weak: bool = False) -> Role:
    """A masculine role noun; weak nouns ("Lieferant") take -en outside the nominative."""
    oblique = f"{name}en" if weak else name
    return Role(name, f"der {name}", f"dem {oblique}", f"des {oblique if weak else name + 's'}", f"den {oblique}")


def _preamble(w: Words) -> list[tuple[str, str]]:
    r = w.record
    out = [("", f"Der nachstehende Vertrag wird mit Wirkung zum {w.date(r['effective_date'])} (»Vertragsbeginn«) "
                "geschlossen zwischen")]
    for i, party in enumerate(r["parties"]):
        if i:
            out.append(("", "und"))
        out.append((f"({i + 1})", f"{party['name']} ({w.register(party['name'])}), {party['address']}, "
                                  f"nachfolgend »{party['role']}« genannt,"))
    return out + [("", "nachfolgend gemeinsam die »Parteien« und einzeln eine »Partei«.")]


def _clause_term(w: Words) -> tuple[str, list[str]]:
    r = w.record
    start = (f"Der Vertrag beginnt am {w.date(r['effective_date'])} und hat eine feste Laufzeit von "
             f"{r['term_months']} Monaten bis zum {w.date(r['expiry_date'])} (»Erstlaufzeit«).")
    if r["auto_renewal"]:
        renewal = ("Danach verlängert sich der Vertrag automatisch um jeweils zwölf (12) Monate, sofern er nicht "
                   f"von einer Partei mit einer Frist von {r['renewal_notice_days']} Tagen zum Ende der jeweiligen "
                   "Laufzeit schriftlich gekündigt wird.")
    else:
        renewal = ("Eine automatische Verlängerung ist nicht vorgesehen. Eine Verlängerung über die Erstlaufzeit "
                   "hinaus bedarf einer schriftlichen Vereinbarung beider Parteien.")
    survival = ("Das Recht zur außerordentlichen Kündigung aus wichtigem Grund bleibt unberührt. Bestimmungen, die "
                "ihrer Natur nach fortgelten sollen, insbesondere zur Vertraulichkeit, gelten über das Vertragsende "
                "hinaus fort.")
    return "Laufzeit", [start, renewal, survival]


def _clause_fees(w: Words) -> tuple[str, list[str]]:
    r, f = w.record, w.fill
    if w.annual_fee:
        fee = (f"Für die Rechte und Lieferungen nach diesem Vertrag zahlt {f['r']} {f['p_to']} eine jährliche "
               f"Vergütung in Höhe von {w.money()} zuzüglich der gesetzlichen Umsatzsteuer, die jährlich im Voraus "
               "in Rechnung gestellt wird.")
    else:
        fee = (f"{f['R']} vergütet die in den jeweiligen Einzelaufträgen vereinbarten Leistungen. Die "
               f"Gesamtvergütung während der Erstlaufzeit ist auf {w.money()} zuzüglich Umsatzsteuer begrenzt "
               "(»Vertragswert«), sofern die Parteien nichts anderes schriftlich vereinbaren.")
    return "Vergütung und Zahlung", [
        fee,
        f"Zahlungsbedingungen: {r['payment_terms']}. Rechnungen müssen die Vertragsnummer und gegebenenfalls "
        f"die Bestellnummer {f['r_of']} enthalten.",
        f"Bei Zahlungsverzug fallen Verzugszinsen in gesetzlicher Höhe an. {f['R']} kann eine Rechnung innerhalb "
        "von fünfzehn (15) Tagen nach Zugang unter Angabe von Gründen schriftlich beanstanden und zahlt den "
        "unstreitigen Teil fristgerecht.",
    ]


def _clause_law(w: Words) -> tuple[str, list[str]]:
    return "Anwendbares Recht und Gerichtsstand", [
        f"Dieser Vertrag und alle außervertraglichen Ansprüche im Zusammenhang mit ihm unterliegen {w.law} "
        "unter Ausschluss der Kollisionsnormen und des UN-Kaufrechts (CISG).",
        f"Ausschließlicher Gerichtsstand für alle Streitigkeiten aus oder im Zusammenhang mit diesem Vertrag ist "
        f"{w.court}. Das Recht jeder Partei, einstweiligen Rechtsschutz an einem anderen Ort zu suchen, bleibt "
        "unberührt.",
    ]


_CLAUSES = {
    "term": _clause_term,
    "fees": _clause_fees,
    "law": _clause_law,
    "services": fixed(
        "Leistungsgegenstand",
        "{P} erbringt die in den Einzelaufträgen beschriebenen Leistungen sorgfältig, fachgerecht und nach dem "
        "jeweiligen Stand der Technik.",
        "Jeder Einzelauftrag wird Bestandteil dieses Vertrages. Bei Widersprüchen gehen die Bestimmungen dieses "
        "Vertrages vor, soweit der Einzelauftrag nicht ausdrücklich etwas anderes regelt.",
        "{R} gewährt {p_to} rechtzeitig den erforderlichen Zugang zu Räumen, Systemen, Informationen und "
        "Ansprechpartnern."),
    "personnel": fixed(
        "Personal und Subunternehmer",
        "{P} setzt für die Leistungen qualifiziertes und erfahrenes Personal ein und ersetzt auf begründeten Wunsch "
        "{r_of} einzelne Mitarbeiter ohne Mehrkosten.",
        "Der Einsatz von Subunternehmern bedarf der vorherigen schriftlichen Zustimmung {r_of}. {P} haftet für "
        "Subunternehmer wie für eigenes Verschulden."),
    "change": fixed(
        "Änderungsverfahren",
        "Jede Partei kann schriftlich Änderungen des Leistungsumfangs verlangen. {P} teilt innerhalb von zehn (10) "
        "Arbeitstagen die Auswirkungen auf Termine und Vergütung mit; Änderungen werden erst mit beiderseitiger "
        "Unterzeichnung verbindlich."),
    "nda_purpose": fixed(
        "Zweck",
        "Die Parteien beabsichtigen, eine mögliche Geschäftsbeziehung zu prüfen (»Zweck«). Zu diesem Zweck wird {p} "
        "{r_to} vertrauliche Informationen nach Maßgabe dieses Vertrages offenlegen."),
    "nda_definition": fixed(
        "Vertrauliche Informationen",
        "»Vertrauliche Informationen« sind alle Informationen, die {p} {r_to} vor oder nach Vertragsbeginn "
        "schriftlich, mündlich, elektronisch oder in sonstiger Weise zugänglich macht, insbesondere Geschäftspläne, "
        "Kunden- und Lieferantendaten, Preise, technische Daten, Quellcode und Know-how."),
    "nda_obligations": fixed(
        "Pflichten des Informationsempfängers",
        "{R} behandelt die vertraulichen Informationen streng vertraulich, verwendet sie ausschließlich für den "
        "Zweck und schützt sie mindestens mit der Sorgfalt, die er für eigene vertrauliche Informationen anwendet.",
        "{R} darf vertrauliche Informationen nur solchen Organen, Mitarbeitern und Beratern zugänglich machen, die "
        "sie für den Zweck kennen müssen und einer gleichwertigen Verschwiegenheitspflicht unterliegen.",
        "{R} informiert {p_acc} unverzüglich schriftlich, sobald ihm eine unbefugte Nutzung oder Offenlegung "
        "bekannt wird."),
    "nda_exclusions": fixed(
        "Ausnahmen",
        "Die Pflichten nach diesem Vertrag gelten nicht für Informationen, die nachweislich (a) öffentlich bekannt "
        "sind oder ohne Verstoß gegen diesen Vertrag werden, (b) {r_to} vor der Offenlegung bereits rechtmäßig "
        "bekannt waren, (c) rechtmäßig von Dritten ohne Geheimhaltungspflicht erlangt oder (d) unabhängig "
        "entwickelt wurden."),
    "nda_return": fixed(
        "Rückgabe und Vernichtung",
        "Auf schriftliche Anforderung {p_of}, spätestens bei Vertragsende, gibt {r} alle vertraulichen "
        "Informationen zurück oder vernichtet sie und bestätigt dies schriftlich. Gesetzliche "
        "Aufbewahrungspflichten bleiben unberührt."),
    "nda_no_licence": fixed(
        "Keine Rechteeinräumung",
        "Alle vertraulichen Informationen bleiben Eigentum {p_of}. Durch diesen Vertrag werden keine Lizenzen oder "
        "sonstigen Rechte an Patenten, Urheberrechten oder anderen Schutzrechten eingeräumt."),
    "orders": fixed(
        "Bedarfsvorschau und Bestellungen",
        "{R} übermittelt monatlich eine rollierende, unverbindliche Bedarfsvorschau für die folgenden zwölf Monate.",
        "{P} nimmt Bestellungen innerhalb von drei (3) Arbeitstagen an oder lehnt sie ab. Angenommene Bestellungen "
        "sind verbindlich und können nur einvernehmlich geändert werden."),
    "delivery": fixed(
        "Lieferung und Gefahrübergang",
        "{P} liefert die Produkte DAP (Incoterms 2020) an die in der Bestellung genannte Lieferadresse zum "
        "bestätigten Liefertermin.",
        "Die Gefahr geht mit der Lieferung auf {r_acc} über, das Eigentum mit vollständiger Bezahlung. "
        "Überschreitet {p} einen bestätigten Liefertermin um mehr als fünf (5) Arbeitstage, kann {r} die "
        "betroffene Bestellung stornieren."),
    "quality": fixed(
        "Qualitätssicherung",
        "{P} unterhält während der gesamten Laufzeit ein nach ISO 9001 zertifiziertes Qualitätsmanagementsystem.",
        "{R} untersucht die Produkte innerhalb von zehn (10) Arbeitstagen nach Lieferung und zeigt offensichtliche "
        "Mängel innerhalb dieser Frist schriftlich an."),
    "grant": fixed(
        "Rechteeinräumung",
        "{P} räumt {r_to} gegen Zahlung der Vergütung für die Vertragslaufzeit ein einfaches, nicht übertragbares "
        "Recht ein, die Software für eigene interne Geschäftszwecke im Umfang der lizenzierten Nutzerzahl zu nutzen.",
        "{R} darf Sicherungs- und Testkopien in angemessener Zahl anfertigen. Alle nicht ausdrücklich eingeräumten "
        "Rechte verbleiben bei {p_to}."),
    "restrictions": fixed(
        "Nutzungsbeschränkungen",
        "{R} ist nicht berechtigt, die Software zu unterlizenzieren, zu vermieten, Dritten als Dienst "
        "bereitzustellen oder sie zu dekompilieren, soweit dies nicht gesetzlich zulässig ist."),
    "support": fixed(
        "Support und Updates",
        "{P} erbringt Second-Level-Support per E-Mail und Telefon an Arbeitstagen von 8 bis 18 Uhr und stellt "
        "Updates und neue Versionen ohne zusätzliche Vergütung bereit."),
    "independent": fixed(
        "Selbständigkeit",
        "{P} ist als selbständiger Unternehmer tätig. Ein Arbeitsverhältnis wird durch diesen Vertrag nicht "
        "begründet; {p} ist für seine Steuern und Sozialabgaben selbst verantwortlich."),
    "confidentiality": fixed(
        "Vertraulichkeit",
        "Jede Partei behandelt die vertraulichen Informationen der anderen Partei vertraulich und verwendet sie nur "
        "zur Erfüllung dieses Vertrages.",
        "Diese Pflicht gilt nicht für Informationen, die öffentlich bekannt sind, der empfangenden Partei bereits "
        "rechtmäßig bekannt waren oder aufgrund gesetzlicher Pflichten offengelegt werden müssen."),
    "ip": fixed(
        "Nutzungsrechte",
        "Jede Partei behält die Rechte an ihren vor Vertragsbeginn bestehenden oder unabhängig entwickelten "
        "Schutzrechten.",
        "Mit vollständiger Zahlung erhält {r} ein einfaches, zeitlich unbegrenztes Recht, die Arbeitsergebnisse für "
        "eigene interne Zwecke zu nutzen. Rechte an allgemeinen Werkzeugen, Methoden und Know-how verbleiben bei "
        "{p_to}."),
    "warranties": fixed(
        "Gewährleistung",
        "{P} gewährleistet, dass die Leistungen und Produkte für die Dauer von zwölf (12) Monaten ab Lieferung oder "
        "Abnahme im Wesentlichen den vereinbarten Spezifikationen entsprechen.",
        "Im Gewährleistungsfall kann {r} zunächst Nacherfüllung verlangen. Schlägt die Nacherfüllung zweimal fehl, "
        "kann {r} die Vergütung angemessen mindern oder vom betroffenen Einzelauftrag zurücktreten."),
    "liability": fixed(
        "Haftung",
        "Die Parteien haften unbeschränkt für Vorsatz und grobe Fahrlässigkeit sowie für Schäden aus der Verletzung "
        "des Lebens, des Körpers oder der Gesundheit.",
        "Bei leichter Fahrlässigkeit haften die Parteien nur für die Verletzung wesentlicher Vertragspflichten und "
        "begrenzt auf den vertragstypischen, vorhersehbaren Schaden, höchstens jedoch auf die im jeweiligen "
        "Vertragsjahr gezahlte Vergütung."),
    "data": fixed(
        "Datenschutz",
        "Soweit {p} personenbezogene Daten im Auftrag {r_of} verarbeitet, geschieht dies ausschließlich auf "
        "dokumentierte Weisung und nach Maßgabe eines Vertrages zur Auftragsverarbeitung gemäß Art. 28 DSGVO."),
    "termination": fixed(
        "Kündigung aus wichtigem Grund",
        "Jede Partei kann diesen Vertrag aus wichtigem Grund fristlos kündigen, insbesondere wenn die andere Partei "
        "eine wesentliche Pflicht verletzt und die Verletzung nicht innerhalb von dreißig (30) Tagen nach "
        "schriftlicher Abmahnung beseitigt.",
        "Im Fall der Kündigung vergütet {r} die bis zum Wirksamwerden der Kündigung erbrachten Leistungen."),
    "force_majeure": fixed(
        "Höhere Gewalt",
        "Keine Partei haftet für Verzögerungen oder Leistungshindernisse aufgrund höherer Gewalt, insbesondere "
        "Naturkatastrophen, Epidemien, Krieg, Streik bei Dritten oder Ausfall öffentlicher Versorgungsnetze.",
        "Dauert das Ereignis länger als sechzig (60) Tage an, kann jede Partei den Vertrag schriftlich kündigen."),
    "assignment": fixed(
        "Abtretung",
        "Keine Partei darf Rechte oder Pflichten aus diesem Vertrag ohne vorherige schriftliche Zustimmung der "
        "anderen Partei auf Dritte übertragen."),
    "notices": fixed(
        "Mitteilungen",
        "Mitteilungen nach diesem Vertrag bedürfen der Textform und sind an die oben genannte Anschrift der "
        "jeweiligen Partei oder an eine andere schriftlich mitgeteilte Anschrift zu richten."),
    "entire": fixed(
        "Schlussbestimmungen",
        "Dieser Vertrag einschließlich seiner Anlagen enthält die gesamte Vereinbarung der Parteien über seinen "
        "Gegenstand. Nebenabreden bestehen nicht.",
        "Änderungen und Ergänzungen bedürfen der Schriftform; dies gilt auch für die Aufhebung dieses "
        "Schriftformerfordernisses. Sollte eine Bestimmung unwirksam sein, bleibt die Wirksamkeit der übrigen "
        "Bestimmungen unberührt."),
}

_PHRASES = {
    "reference": "Vertragsnummer {reference}",
    "heading": "§ {n} {heading}",
    "article": "§ {n} {heading}",
    "sub": "({k})",
    "witness": "Zum Zeichen ihres Einverständnisses haben die Parteien diesen Vertrag durch ihre "
               "vertretungsberechtigten Personen unterzeichnet.",
    "sign_for": "Für", "sign_name": "Name", "sign_title": "Funktion", "sign_date": "Datum",
    "footer": "{title} | {reference} | Vertraulich",
    "page": "Seite {n} von {count}",
    "cover_parties": "Vertragsparteien", "cover_party": "Partei", "cover_role": "Rolle", "cover_address": "Sitz",
    "cover_terms": "Eckdaten", "cover_effective": "Vertragsbeginn", "cover_term": "Erstlaufzeit",
    "cover_expiry": "Ende der Erstlaufzeit", "cover_value": "Vertragswert", "cover_payment": "Zahlungsbedingungen",
    "cover_renewal": "Verlängerung", "cover_reference": "Vertragsnummer", "not_stated": "nicht angegeben",
    "renewal_yes": "Automatisch; Kündigungsfrist {days} zum Laufzeitende",
    "renewal_no": "Keine automatische Verlängerung",
    "cover_note": "Die Parteien vereinbaren die auf den folgenden Seiten aufgeführten Bedingungen.",
    "letter_subject": "Betreff: {title}",
    "letter_opening": "Sehr geehrte Damen und Herren,",
    "letter_intro": "hiermit bestätigen wir die Bedingungen, zu denen {first} (»{first_role}«) und {second} "
                    "(»{second_role}«) mit Wirkung zum {date} (»Vertragsbeginn«) zusammenarbeiten. Dieses Schreiben "
                    "bildet die Vereinbarung zwischen uns (»Vertrag«).",
    "letter_terms": "Die Parteien vereinbaren Folgendes:",
    "letter_closing": "Bitte bestätigen Sie Ihr Einverständnis, indem Sie die beigefügte Kopie dieses Schreibens "
                      "unterzeichnet an uns zurücksenden.",
    "letter_yours": "Mit freundlichen Grüßen",
    "letter_accept": "Einverstanden für",
}

_PLAN = Plan(
    "Umsetzungsplan",
    "Die Parteien erbringen ihre Leistungen in den nachstehend beschriebenen Arbeitspaketen. Die Termine der "
    "einzelnen Arbeitspakete ergeben sich aus dem im Kick-off abgestimmten Projektplan.",
    "Arbeitspaket {n}: {name}",
    ("Projektstart und Steuerung", "Anforderungsanalyse", "Lösungsdesign", "Datenmigration",
     "Schnittstellen zu Bestandssystemen", "Pilotphase", "Test und Qualitätssicherung", "Schulung der Key User",
     "Rollout an allen Standorten", "Unterstützung beim Produktivstart", "Übergabe in den Betrieb", "Dokumentation",
     "Sicherheitsprüfung", "Berichtswesen", "Kontinuierliche Verbesserung", "Jährliche Überprüfung"),
    ("{P} schließt das Arbeitspaket »{name}« innerhalb von {weeks} Wochen nach schriftlicher Freigabe durch "
     "{r_acc} ab.",
     "Die Ergebnisse des Arbeitspakets »{name}« werden in einem Bericht dokumentiert, den {r} innerhalb von zehn "
     "(10) Arbeitstagen prüft.",
     "{P} setzt für »{name}« mindestens {people} qualifizierte Mitarbeiter ein und benennt eine verantwortliche "
     "Leitung.",
     "Die Abnahme von »{name}« erfolgt durch schriftliche Abnahmeerklärung, sobald die vereinbarten Kriterien "
     "erfüllt sind.",
     "Änderungen am Umfang von »{name}« werden ausschließlich über das vereinbarte Änderungsverfahren abgewickelt.",
     "{R} stellt die für »{name}« erforderlichen Informationen, Zugänge und Testdaten rechtzeitig zur Verfügung.",
     "Über den Fortschritt von »{name}« wird dem Lenkungsausschuss alle zwei Wochen berichtet, einschließlich "
     "Risiken, offener Punkte und nächster Schritte.",
     "Verzögerungen bei »{name}«, die auf fehlende Mitwirkung {r_of} zurückgehen, verlängern die vereinbarten "
     "Fristen entsprechend."),
)

_SCHEDULES = ScheduleText(
    definitions_heading="Begriffsbestimmungen und Auslegung",
    definitions=(
        "»Änderungsantrag« ist ein schriftlicher Antrag auf Änderung des Leistungsumfangs, der Termine oder der "
        "Vergütung nach dem vereinbarten Änderungsverfahren.",
        "»Anlage« ist eine Anlage zu diesem Vertrag; die Anlagen sind Vertragsbestandteil.",
        "»Arbeitsergebnisse« sind alle Unterlagen, Software, Berichte, Waren und sonstigen Materialien, die {p} "
        "{r_to} im Rahmen dieses Vertrags überlässt.",
        "»Arbeitstag« ist jeder Tag außer Samstag, Sonntag und gesetzlichen Feiertagen am Sitz {p_of}.",
        "»Dokumentation« sind die Benutzerhandbücher, Spezifikationen und Betriebsanleitungen, die {p} für die "
        "Leistungen oder Produkte zur Verfügung stellt.",
        "»Geltende Vorschriften« sind alle Gesetze, Verordnungen, verbindlichen Regelwerke und Anordnungen "
        "zuständiger Behörden, die für eine Partei oder die Durchführung dieses Vertrags gelten.",
        "»Meilenstein« ist ein Ereignis oder Termin, bis zu dem ein Arbeitsergebnis oder Arbeitspaket nach dem "
        "Umsetzungsplan abzuschließen ist.",
        "»Personenbezogene Daten« sind Daten im Sinne von Art. 4 Nr. 1 der Datenschutz-Grundverordnung.",
        "»Preisliste« sind die in der gleichnamigen Anlage festgelegten Preise in ihrer jeweils nach diesem Vertrag "
        "angepassten Fassung.",
        "»Schlüsselpersonal« sind die Personen, die {p} als wesentlich für die Vertragsdurchführung benennt.",
        "»Schutzrechte« sind Patente, Urheberrechte, Marken, Designrechte, Datenbankrechte, Rechte an Know-how "
        "und alle vergleichbaren Rechte weltweit.",
        "»Service Level« sind die in der gleichnamigen Anlage festgelegten Leistungsstandards.",
        "»Servicegutschrift« ist die Minderung der Vergütung, die gilt, wenn ein Service Level nicht erreicht wird.",
        "»Stand der Technik« ist das Maß an Fachkunde, Sorgfalt und Voraussicht, das von einem erfahrenen "
        "Anbieter vergleichbarer Leistungen oder Produkte vernünftigerweise erwartet werden kann.",
        "»Störung« ist jedes Ereignis, das die Leistungen oder die Nutzung der Produkte unterbricht oder "
        "beeinträchtigt oder unterbrechen oder beeinträchtigen kann.",
        "»Verbundenes Unternehmen« ist jedes Unternehmen, das eine Partei unmittelbar oder mittelbar beherrscht, "
        "von ihr beherrscht wird oder mit ihr unter gemeinsamer Beherrschung steht; Beherrschung bedeutet das "
        "Halten von mehr als fünfzig Prozent (50 %) der Stimmrechte.",
        "»Vergütung« sind die Entgelte und Preise, die {r} nach diesem Vertrag zu zahlen hat, wie in der "
        "Preisliste festgelegt.",
        "»Vertrauliche Informationen« sind alle Informationen, die eine Partei der anderen in gleich welcher Form "
        "offenlegt und die als vertraulich gekennzeichnet oder ihrer Natur nach vertraulich sind."),
    interpretation=(
        "Überschriften dienen nur der Übersicht und sind für die Auslegung ohne Bedeutung. Begriffe im Singular "
        "schließen den Plural ein und umgekehrt; »insbesondere« und »einschließlich« leiten nicht abschließende "
        "Beispiele ein.",
        "Bei Widersprüchen zwischen diesem Vertrag und einer Anlage geht der Vertrag vor, sofern die Anlage nicht "
        "ausdrücklich die Bestimmung nennt, von der sie abweicht."),
    schedules_heading="Anlagen",
    schedules_intro="Folgende Anlagen sind Bestandteil dieses Vertrags: {names}.",
    schedules_review="Die Parteien überprüfen die Anlagen mindestens einmal jährlich. Eine Anlage kann nur durch "
                     "einen von beiden Parteien unterzeichneten Änderungsantrag geändert werden.",
    schedule="Anlage {n}: {name}",
    names={"service_levels": "Service Level", "escalation": "Eskalationsverfahren", "price_list": "Preisliste",
           "plan": "Umsetzungsplan"},
    intros={
        "service_levels": "{P} erfüllt in jedem Kalendermonat die folgenden Service Level. Die Messung erfolgt "
                          "durch {p_acc}; die Ergebnisse werden {r_to} im monatlichen Servicebericht mitgeteilt. "
                          "Servicegutschriften werden mit der nächsten Rechnung verrechnet und sind keine "
                          "Vertragsstrafe.",
        "escalation": "Probleme und Streitigkeiten, die auf Arbeitsebene nicht gelöst werden können, werden wie "
                      "folgt eskaliert. Jede Ebene tritt innerhalb der angegebenen Reaktionszeit zusammen, bevor "
                      "die nächste Ebene befasst wird.",
        "price_list": "Ab Vertragsbeginn gelten die folgenden Preise zuzüglich der gesetzlichen Umsatzsteuer. Die "
                      "Preise sind für die ersten zwölf (12) Monate fest und können danach einmal jährlich mit "
                      "einer Frist von drei (3) Monaten schriftlich angepasst werden.",
        "plan": "Die Parteien erbringen ihre Leistungen in den in dieser Anlage beschriebenen Arbeitspaketen. Die "
                "Termine der einzelnen Arbeitspakete ergeben sich aus dem im Kick-off abgestimmten Projektplan."},
    service_level_columns=("Leistung", "Messgröße", "Zielwert", "Servicegutschrift"),
    service_levels={
        "availability": ("Produktivbetrieb", "Monatliche Verfügbarkeit", "99,5 %",
                         "2 % der Monatsvergütung je 0,5 % unter Zielwert"),
        "p1_response": ("Störung Priorität 1", "Reaktionszeit", "30 Minuten",
                        "1 % der Monatsvergütung je Stunde Verzug"),
        "p1_resolution": ("Störung Priorität 1", "Behebung oder Umgehung", "4 Stunden",
                          "2 % der Monatsvergütung je Stunde Verzug"),
        "p2_response": ("Störung Priorität 2", "Reaktionszeit", "2 Stunden", "0,5 % der Monatsvergütung je Verstoß"),
        "p2_resolution": ("Störung Priorität 2", "Behebung oder Umgehung", "1 Arbeitstag",
                          "1 % der Monatsvergütung je Verstoß"),
        "p3_resolution": ("Störung Priorität 3", "Behebung", "5 Arbeitstage", "keine; monatlicher Bericht"),
        "service_desk": ("Service Desk", "Anrufe innerhalb von 60 Sekunden angenommen", "90 %",
                         "keine; monatlicher Bericht"),
        "delivery": ("Lieferungen", "Vollständig zum bestätigten Termin geliefert", "98 %",
                     "1 % des Werts der verspäteten Lieferung je Tag"),
        "confirmation": ("Auftragsbestätigung", "Bestellungen innerhalb von 3 Arbeitstagen bestätigt", "99 %",
                         "keine; monatlicher Bericht"),
        "quality": ("Qualität", "Fehlerhafte Teile je Million", "unter 500", "kostenloser Ersatz"),
        "reporting": ("Berichtswesen", "Monatlicher Servicebericht geliefert", "bis zum 10. Arbeitstag", "keine"),
        "satisfaction": ("Zufriedenheit", "Jährliche Nutzerbefragung", "mindestens 4 von 5",
                         "Verbesserungsplan binnen 30 Tagen")},
    escalation_columns=("Ebene", "Reaktionszeit"),
    escalation=(("Service Desk", "IT-Service-Desk", "4 Stunden"),
                ("Service Manager", "Vertragsmanagement", "2 Arbeitstage"),
                ("Kundenbetreuung (Account Director)", "Abteilungsleitung", "5 Arbeitstage"),
                ("Geschäftsleitung (Sponsor)", "Geschäftsleitung (Sponsor)", "10 Arbeitstage")),
    price_columns=("Art.-Nr.", "Bezeichnung", "Einheit", "Einzelpreis ({currency})"),
    lump="pauschal",
    model="Typ {code}",
    final="Schlussbestimmungen",
)

TEXT = ContractText(
    titles={"master_services": ("Rahmenvertrag über Dienstleistungen", "Dienstleistungsrahmenvertrag"),
            "non_disclosure": ("Geheimhaltungsvereinbarung", "Vertraulichkeitsvereinbarung"),
            "supply": ("Liefervertrag", "Rahmenliefervertrag"),
            "license": ("Softwarelizenzvertrag", "Software-Überlassungsvertrag"),
            "consulting": ("Beratervertrag", "Beratungsvertrag")},
    roles={"master_services": (_role("Auftragnehmer"), _role("Auftraggeber")),
           "non_disclosure": (_role("Informationsgeber"), _role("Informationsempfänger")),
           "supply": (_role("Lieferant", weak=True), _role("Abnehmer")),
           "license": (_role("Lizenzgeber"), _role("Lizenznehmer")),
           "consulting": (_role("Berater"), _role("Auftraggeber"))},
    job_titles=(("Geschäftsführer", "Geschäftsführerin"), ("Prokurist", "Prokuristin"),
                ("Vorstandsvorsitzender", "Vorstandsvorsitzende"), ("Leiter Einkauf", "Leiterin Einkauf"),
                ("Leiter Recht", "Leiterin Recht"), ("Finanzvorstand", "Finanzvorständin"),
                ("Kaufmännischer Leiter", "Kaufmännische Leiterin")),
    payment_terms=("30 Tage netto ab Rechnungsdatum", "45 Tage nach Eingang einer ordnungsgemäßen Rechnung",
                   "60 Tage netto ab Rechnungsdatum", "innerhalb von 30 Tagen ab Rechnungsdatum ohne Abzug"),
    clauses=_CLAUSES,
    phrases=_PHRASES,
    plan=_PLAN,
    schedules=_SCHEDULES,
    preamble=_preamble,
    months=lambda n: f"{n} Monate",
    days=lambda n: f"{n} Tage",
)
