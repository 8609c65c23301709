"""Spanish contract text (simplified, in the style of a Spanish commercial contract)."""

from __future__ import annotations

from .contract_text import ContractText, Plan, ScheduleText, Words, fixed, role_es


def _preamble(w: Words) -> list[tuple[str, str]]:
    r = w.record
    out = [("", f"En {w.home.city}, a {w.date(r['effective_date'])}."), ("", "REUNIDOS")]
    for i, party in enumerate(r["parties"]):
        side = "Y de otra parte" if i else "De una parte"
        out.append((f"({i + 1})", f"{side}, {party['name']} ({w.register(party['name'])}), con domicilio social en "
                                  f"{party['address']} (en adelante, «{party['role']}»)."))
    return out + [("", "Ambas partes, reconociéndose capacidad suficiente, acuerdan celebrar el presente contrato con "
                       f"efectos desde el {w.date(r['effective_date'])} (la «Fecha de Entrada en Vigor»), que se "
                       "regirá por las siguientes cláusulas.")]


def _clause_term(w: Words) -> tuple[str, list[str]]:
    r = w.record
    start = (f"El presente Contrato entra en vigor el {w.date(r['effective_date'])} y tendrá una duración inicial de "
             f"{r['term_months']} meses, hasta el {w.date(r['expiry_date'])} (el «Plazo Inicial»).")
    if r["auto_renewal"]:
        renewal = ("Finalizado el Plazo Inicial, el Contrato se prorrogará tácitamente por períodos sucesivos de doce "
                   "(12) meses, salvo que cualquiera de las partes lo denuncie por escrito con una antelación mínima "
                   f"de {r['renewal_notice_days']} días a la fecha de vencimiento.")
    else:
        renewal = ("El Contrato no se prorrogará tácitamente. Cualquier prórroga requerirá acuerdo escrito firmado "
                   "por ambas partes.")
    survival = ("La terminación del Contrato no afectará a los derechos y obligaciones nacidos con anterioridad. "
                "Las obligaciones de confidencialidad subsistirán tras su terminación.")
    return "Duración", [start, renewal, survival]


def _clause_fees(w: Words) -> tuple[str, list[str]]:
    r, f = w.record, w.fill
    if w.annual_fee:
        fee = (f"Como contraprestación, {f['r']} abonará {f['p_to']} una remuneración anual de {w.money()}, más el "
               "IVA correspondiente, que se facturará anualmente por anticipado.")
    else:
        fee = (f"{f['R']} abonará {f['p_to']} los honorarios establecidos en cada pedido. El importe total durante "
               f"el Plazo Inicial no podrá superar {w.money()}, IVA no incluido (el «Valor del Contrato»), salvo "
               "acuerdo escrito de las partes.")
    return "Precio y forma de pago", [
        fee,
        f"Forma de pago: {r['payment_terms']}. Las facturas indicarán la referencia del Contrato y, en su caso, el "
        f"número de pedido {f['r_of']}.",
        "Las cantidades no pagadas a su vencimiento devengarán el interés de demora previsto en la legislación "
        "aplicable a las operaciones comerciales.",
    ]


def _clause_law(w: Words) -> tuple[str, list[str]]:
    return "Legislación aplicable y jurisdicción", [
        f"El presente Contrato se rige por {w.law}, con exclusión de sus normas de conflicto y de la Convención de "
        "Viena sobre compraventa internacional de mercaderías.",
        "Para cualquier controversia derivada del presente Contrato, las partes se someten a los juzgados y "
        f"tribunales de {w.court}, con renuncia expresa a cualquier otro fuero que pudiera corresponderles.",
    ]


_CLAUSES = {
    "term": _clause_term,
    "fees": _clause_fees,
    "law": _clause_law,
    "services": fixed(
        "Objeto",
        "{P} prestará los servicios descritos en cada pedido con la diligencia profesional exigible y conforme a "
        "las buenas prácticas del sector.",
        "Cada pedido formará parte integrante del presente Contrato. En caso de contradicción prevalecerá lo "
        "dispuesto en el Contrato, salvo que el pedido indique expresamente lo contrario.",
        "{R} facilitará {p_to} en tiempo oportuno el acceso a sus instalaciones, sistemas e información."),
    "personnel": fixed(
        "Personal y subcontratación",
        "{P} asignará a los servicios personal cualificado y con experiencia.",
        "{P} solo podrá subcontratar con el consentimiento previo y por escrito {r_of}, y responderá de la "
        "actuación de sus subcontratistas."),
    "change": fixed(
        "Modificaciones",
        "Cualquier solicitud de modificación del alcance se formulará por escrito. {P} comunicará su impacto en "
        "plazos y precio en un plazo de diez (10) días hábiles."),
    "nda_purpose": fixed(
        "Objeto",
        "Las partes desean evaluar una posible relación de negocio (el «Propósito»). Para ello, {p} podrá revelar "
        "{r_to} Información Confidencial en los términos del presente Contrato."),
    "nda_definition": fixed(
        "Información Confidencial",
        "Se considera «Información Confidencial» toda información facilitada por {p} {r_to}, por cualquier medio, "
        "incluidos planes de negocio, datos de clientes, precios, datos técnicos, código fuente y conocimientos "
        "técnicos."),
    "nda_obligations": fixed(
        "Obligaciones de la Parte Receptora",
        "{R} mantendrá la Información Confidencial en estricta confidencialidad, la utilizará únicamente para el "
        "Propósito y la protegerá con, al menos, la misma diligencia que aplica a su propia información "
        "confidencial.",
        "{R} solo podrá revelarla a sus administradores, empleados y asesores que necesiten conocerla y estén "
        "sujetos a obligaciones de confidencialidad equivalentes.",
        "{R} informará sin demora {p_to} de cualquier uso o revelación no autorizados."),
    "nda_exclusions": fixed(
        "Excepciones",
        "Las obligaciones anteriores no se aplicarán a la información que (a) sea de dominio público sin culpa "
        "{r_of}, (b) ya obrara legítimamente en poder {r_of} antes de su revelación, (c) se reciba legítimamente de "
        "un tercero no sujeto a confidencialidad, o (d) se desarrolle de forma independiente."),
    "nda_return": fixed(
        "Devolución",
        "A requerimiento escrito {p_of} y, en todo caso, a la terminación del Contrato, {r} devolverá o destruirá "
        "toda la Información Confidencial y lo confirmará por escrito."),
    "nda_no_licence": fixed(
        "Ausencia de licencia",
        "La Información Confidencial seguirá siendo propiedad {p_of}. El presente Contrato no otorga licencia ni "
        "derecho alguno de propiedad intelectual o industrial."),
    "orders": fixed(
        "Previsiones y pedidos",
        "{R} remitirá mensualmente una previsión no vinculante de sus necesidades para los doce meses siguientes.",
        "{P} aceptará o rechazará cada pedido en un plazo de tres (3) días hábiles. Los pedidos aceptados serán "
        "vinculantes."),
    "delivery": fixed(
        "Entrega y transmisión del riesgo",
        "{P} entregará los Productos DAP (Incoterms 2020) en la dirección indicada en el pedido y en la fecha "
        "confirmada.",
        "El riesgo se transmitirá {r_to} con la entrega y la propiedad con el pago íntegro del precio. Si {p} se "
        "retrasa más de cinco (5) días hábiles, {r} podrá cancelar el pedido afectado."),
    "quality": fixed(
        "Calidad",
        "{P} mantendrá durante toda la vigencia del Contrato un sistema de gestión de la calidad certificado "
        "conforme a la norma ISO 9001."),
    "grant": fixed(
        "Concesión de licencia",
        "Previo pago de la remuneración, {p} concede {r_to} una licencia no exclusiva e intransferible para utilizar "
        "el software para sus fines internos, dentro del número de usuarios autorizados.",
        "Todos los derechos no concedidos expresamente quedan reservados {p_to}."),
    "restrictions": fixed(
        "Limitaciones de uso",
        "{R} no podrá sublicenciar, arrendar ni poner el software a disposición de terceros, ni descompilarlo salvo "
        "en la medida permitida por la ley."),
    "support": fixed(
        "Soporte y actualizaciones",
        "{P} prestará soporte de segundo nivel por correo electrónico y teléfono en días hábiles de 8:00 a 18:00 "
        "horas y facilitará las actualizaciones sin coste adicional."),
    "independent": fixed(
        "Independencia",
        "{P} actuará como profesional independiente. El presente Contrato no crea relación laboral alguna y {p} será "
        "responsable de sus propias obligaciones fiscales y de Seguridad Social."),
    "confidentiality": fixed(
        "Confidencialidad",
        "Cada parte mantendrá la confidencialidad de la información de la otra parte y la utilizará únicamente para "
        "la ejecución del presente Contrato.",
        "Esta obligación no se aplica a la información de dominio público, a la ya conocida por la parte receptora "
        "ni a la que deba revelarse por imperativo legal."),
    "ip": fixed(
        "Propiedad intelectual",
        "Cada parte conserva los derechos de propiedad intelectual de los que fuera titular antes de la Fecha de "
        "Entrada en Vigor.",
        "Una vez abonado el precio, {r} podrá utilizar los entregables para sus fines internos con carácter no "
        "exclusivo y perpetuo. Las herramientas, métodos y conocimientos generales seguirán siendo {p_of}."),
    "warranties": fixed(
        "Garantía",
        "{P} garantiza que los servicios y productos se ajustarán a las especificaciones acordadas durante doce (12) "
        "meses desde su entrega o aceptación.",
        "En caso de falta de conformidad, {r} podrá exigir la repetición de los servicios o la reparación o "
        "sustitución de los productos."),
    "liability": fixed(
        "Responsabilidad",
        "Ninguna de las partes limita su responsabilidad en caso de dolo o culpa grave ni por daños personales.",
        "En los demás casos, la responsabilidad de cada parte se limitará a los daños directos y no excederá del "
        "importe abonado en virtud del Contrato durante los doce (12) meses anteriores."),
    "data": fixed(
        "Protección de datos",
        "Cuando {p} trate datos personales por cuenta {r_of}, lo hará únicamente siguiendo instrucciones "
        "documentadas y conforme al artículo 28 del RGPD."),
    "termination": fixed(
        "Resolución",
        "Cualquiera de las partes podrá resolver el Contrato en caso de incumplimiento grave de la otra parte que no "
        "sea subsanado en el plazo de treinta (30) días desde su notificación por escrito.",
        "En caso de resolución, {r} abonará los servicios prestados hasta la fecha de resolución."),
    "force_majeure": fixed(
        "Fuerza mayor",
        "Ninguna de las partes será responsable del retraso o incumplimiento causado por fuerza mayor, incluidos "
        "desastres naturales, epidemias, guerras o huelgas de terceros.",
        "Si la causa de fuerza mayor se prolonga más de sesenta (60) días, cualquiera de las partes podrá resolver "
        "el Contrato por escrito."),
    "assignment": fixed(
        "Cesión",
        "Ninguna de las partes podrá ceder el presente Contrato ni los derechos y obligaciones derivados del mismo "
        "sin el consentimiento previo y por escrito de la otra parte."),
    "notices": fixed(
        "Notificaciones",
        "Todas las notificaciones se realizarán por escrito, mediante burofax, correo certificado o correo "
        "electrónico con acuse de recibo, en los domicilios indicados en el encabezamiento."),
    "entire": fixed(
        "Disposiciones generales",
        "El presente Contrato y sus anexos constituyen el acuerdo íntegro entre las partes y sustituyen cualquier "
        "acuerdo anterior sobre su objeto.",
        "Cualquier modificación requerirá acuerdo escrito firmado por ambas partes. La nulidad de una cláusula no "
        "afectará a la validez de las restantes."),
}

_PHRASES = {
    "reference": "Referencia del contrato {reference}",
    "heading": "Cláusula {n}. {heading}",
    "article": "Artículo {n}. {heading}",
    "sub": "{n}.{k}",
    "witness": "Y en prueba de conformidad, las partes firman el presente Contrato por duplicado y a un solo efecto.",
    "sign_for": "Por", "sign_name": "Nombre", "sign_title": "Cargo", "sign_date": "Fecha",
    "footer": "{title} | {reference} | Confidencial",
    "page": "Página {n} de {count}",
    "cover_parties": "Partes", "cover_party": "Parte", "cover_role": "Condición", "cover_address": "Domicilio social",
    "cover_terms": "Condiciones principales", "cover_effective": "Fecha de entrada en vigor",
    "cover_term": "Duración inicial", "cover_expiry": "Fin de la duración inicial", "cover_value": "Valor del contrato",
    "cover_payment": "Forma de pago", "cover_renewal": "Prórroga", "cover_reference": "Referencia",
    "not_stated": "No indicado",
    "renewal_yes": "Tácita, salvo denuncia con {days} de antelación",
    "renewal_no": "Sin prórroga tácita",
    "cover_note": "Las partes acuerdan las condiciones que figuran en las páginas siguientes.",
    "letter_subject": "Asunto: {title}",
    "letter_opening": "Muy señores nuestros:",
    "letter_intro": "Por la presente les confirmamos las condiciones en las que {first} (en adelante, "
                    "«{first_role}») y {second} (en adelante, «{second_role}») colaborarán a partir del {date} (la "
                    "«Fecha de Entrada en Vigor»). Esta carta constituye el acuerdo entre nosotros (el «Contrato»).",
    "letter_terms": "Las partes acuerdan lo siguiente:",
    "letter_closing": "Les rogamos nos devuelvan una copia de esta carta firmada en señal de conformidad.",
    "letter_yours": "Atentamente,",
    "letter_accept": "Leído y conforme, por",
}

_PLAN = Plan(
    "Plan de Implantación",
    "Las partes ejecutarán el presente Contrato en los paquetes de trabajo descritos en esta cláusula. El calendario "
    "aprobado en la reunión de lanzamiento fija las fechas de cada paquete.",
    "Paquete de trabajo {n}: {name}",
    ("Lanzamiento y gobierno del proyecto", "Análisis de requisitos", "Diseño de la solución", "Migración de datos",
     "Interfaces con los sistemas existentes", "Fase piloto", "Pruebas y aseguramiento de la calidad",
     "Formación de usuarios clave", "Despliegue en todas las sedes", "Soporte a la puesta en producción",
     "Traspaso a operaciones", "Documentación", "Revisión de seguridad", "Informes", "Mejora continua",
     "Revisión anual"),
    ("{P} completará el paquete «{name}» en un plazo de {weeks} semanas desde su aprobación por escrito por {r}.",
     "Los resultados del paquete «{name}» se documentarán en un informe que {r} revisará en diez (10) días hábiles.",
     "{P} asignará al menos {people} profesionales cualificados al paquete «{name}» y designará un responsable.",
     "La aceptación del paquete «{name}» se realizará mediante acta escrita una vez cumplidos los criterios "
     "acordados.",
     "Los cambios en el alcance del paquete «{name}» se tramitarán exclusivamente mediante el procedimiento de "
     "control de cambios.",
     "{R} facilitará en tiempo oportuno la información, los accesos y los datos de prueba necesarios para el "
     "paquete «{name}».",
     "El avance del paquete «{name}» se presentará al comité de dirección cada dos semanas, con los riesgos, los "
     "puntos abiertos y los próximos pasos.",
     "Cualquier retraso en el paquete «{name}» imputable a la falta de colaboración {r_of} ampliará en igual medida "
     "los plazos acordados."),
)

_SCHEDULES = ScheduleText(
    definitions_heading="Definiciones e interpretación",
    definitions=(
        "«Anexo» significa un anexo al presente Contrato, que forma parte integrante del mismo.",
        "«Buenas prácticas del sector» significa el grado de competencia, diligencia y previsión que cabe esperar "
        "razonablemente de un proveedor experimentado de servicios o productos similares.",
        "«Crédito de servicio» significa la reducción de la Remuneración aplicable cuando no se alcanza un Nivel de "
        "servicio.",
        "«Datos personales» tiene el significado que le atribuye la normativa de protección de datos aplicable.",
        "«Derechos de propiedad intelectual» significa patentes, derechos de autor, marcas, diseños, derechos sobre "
        "bases de datos, conocimientos técnicos y cualesquiera derechos similares en todo el mundo.",
        "«Día hábil» significa cualquier día que no sea sábado, domingo ni festivo en el lugar del domicilio social "
        "{p_of}.",
        "«Documentación» significa las guías de usuario, especificaciones y manuales de operación que {p} ponga a "
        "disposición para los Servicios o Productos.",
        "«Entregables» significa todos los documentos, programas, informes, bienes y demás materiales que {p} "
        "entregue {r_to} en virtud del presente Contrato.",
        "«Filial» significa cualquier entidad que directa o indirectamente controle a una Parte, esté controlada "
        "por ella o se encuentre bajo control común con ella; se entiende por control la titularidad de más del "
        "cincuenta por ciento (50 %) de los derechos de voto.",
        "«Hito» significa un hecho o fecha en que debe completarse un Entregable o un paquete de trabajo, según el "
        "Plan de Implantación.",
        "«Incidencia» significa cualquier hecho que interrumpa o degrade, o pueda interrumpir o degradar, los "
        "Servicios o el uso de los Productos.",
        "«Información confidencial» significa toda información que una Parte comunique a la otra, en cualquier "
        "forma, que esté marcada como confidencial o cuyo carácter confidencial sea evidente.",
        "«Lista de precios» significa los precios recogidos en el anexo del mismo nombre, con los ajustes previstos "
        "en el presente Contrato.",
        "«Niveles de servicio» significa los estándares de rendimiento establecidos en el anexo del mismo nombre.",
        "«Normativa aplicable» significa todas las leyes, reglamentos, códigos de conducta vinculantes y "
        "resoluciones de autoridades competentes aplicables a una Parte o a la ejecución del presente Contrato.",
        "«Personal clave» significa las personas que {p} designe como esenciales para la ejecución del presente "
        "Contrato.",
        "«Remuneración» significa los honorarios y precios que {r} debe pagar en virtud del presente Contrato, "
        "según la Lista de precios.",
        "«Solicitud de cambio» significa una solicitud escrita de modificación del alcance, el calendario o los "
        "precios del presente Contrato conforme al procedimiento de control de cambios."),
    interpretation=(
        "Los títulos tienen carácter meramente indicativo y no afectan a la interpretación del presente Contrato; "
        "el singular incluye el plural y viceversa; las expresiones «en particular» e «incluido» introducen "
        "ejemplos no exhaustivos.",
        "En caso de contradicción entre una cláusula del presente Contrato y un Anexo, prevalece la cláusula, salvo "
        "que el Anexo indique expresamente la cláusula que modifica."),
    schedules_heading="Anexos",
    schedules_intro="Los siguientes Anexos forman parte integrante del presente Contrato: {names}.",
    schedules_review="Las Partes revisarán los Anexos al menos una vez al año. Un Anexo solo puede modificarse "
                     "mediante una Solicitud de cambio firmada por ambas Partes.",
    schedule="Anexo {n}: {name}",
    names={"service_levels": "Niveles de servicio", "escalation": "Procedimiento de escalado",
           "price_list": "Lista de precios", "plan": "Plan de Implantación"},
    intros={
        "service_levels": "{P} cumplirá en cada mes natural los siguientes Niveles de servicio. La medición "
                          "corresponde {p_to} y los resultados se comunican {r_to} en el informe mensual de "
                          "servicio. Los créditos de servicio se descuentan de la siguiente factura y no constituyen "
                          "una penalización.",
        "escalation": "Las cuestiones y controversias que no puedan resolverse a nivel operativo se escalan como "
                      "sigue. Cada nivel se reunirá dentro del plazo de respuesta indicado antes de que intervenga "
                      "el nivel siguiente.",
        "price_list": "A partir de la Fecha de Entrada en Vigor se aplican los siguientes precios, IVA no incluido. "
                      "Los precios son fijos durante los primeros doce (12) meses y después podrán revisarse una "
                      "vez al año mediante preaviso escrito de tres (3) meses.",
        "plan": "Las Partes ejecutarán el presente Contrato en los paquetes de trabajo descritos en este Anexo. El "
                "calendario aprobado en la reunión de lanzamiento fija las fechas de cada paquete."},
    service_level_columns=("Servicio", "Indicador", "Objetivo", "Crédito de servicio"),
    service_levels={
        "availability": ("Servicio en producción", "Disponibilidad mensual", "99,5 %",
                         "2 % de la cuota mensual por cada 0,5 % por debajo del objetivo"),
        "p1_response": ("Incidencia de prioridad 1", "Tiempo de respuesta", "30 minutos",
                        "1 % de la cuota mensual por hora de retraso"),
        "p1_resolution": ("Incidencia de prioridad 1", "Resolución o solución provisional", "4 horas",
                          "2 % de la cuota mensual por hora de retraso"),
        "p2_response": ("Incidencia de prioridad 2", "Tiempo de respuesta", "2 horas",
                        "0,5 % de la cuota mensual por incumplimiento"),
        "p2_resolution": ("Incidencia de prioridad 2", "Resolución o solución provisional", "1 día hábil",
                          "1 % de la cuota mensual por incumplimiento"),
        "p3_resolution": ("Incidencia de prioridad 3", "Resolución", "5 días hábiles", "ninguno; informe mensual"),
        "service_desk": ("Centro de atención", "Llamadas atendidas en 60 segundos", "90 %",
                         "ninguno; informe mensual"),
        "delivery": ("Entregas", "Entregadas completas en la fecha confirmada", "98 %",
                     "1 % del valor de la entrega retrasada por día"),
        "confirmation": ("Confirmación de pedidos", "Pedidos confirmados en 3 días hábiles", "99 %",
                         "ninguno; informe mensual"),
        "quality": ("Calidad", "Piezas defectuosas por millón", "menos de 500", "sustitución gratuita"),
        "reporting": ("Informes", "Informe mensual de servicio entregado", "antes del 10.º día hábil", "ninguno"),
        "satisfaction": ("Satisfacción", "Encuesta anual a usuarios", "al menos 4 de 5", "plan de mejora en 30 días")},
    escalation_columns=("Nivel", "Plazo de respuesta"),
    escalation=(("Centro de atención", "Soporte informático", "4 horas"),
                ("Responsable del servicio", "Gestor del contrato", "2 días hábiles"),
                ("Director de cuenta", "Jefe de departamento", "5 días hábiles"),
                ("Patrocinador ejecutivo", "Patrocinador ejecutivo", "10 días hábiles")),
    price_columns=("Referencia", "Descripción", "Unidad", "Precio unitario ({currency})"),
    lump="a tanto alzado",
    model="tipo {code}",
    final="Disposiciones finales",
)

TEXT = ContractText(
    titles={"master_services": ("Contrato Marco de Prestación de Servicios",),
            "non_disclosure": ("Acuerdo de Confidencialidad", "Contrato de Confidencialidad"),
            "supply": ("Contrato de Suministro", "Contrato Marco de Suministro"),
            "license": ("Contrato de Licencia de Software", "Contrato de Licencia de Uso de Software"),
            "consulting": ("Contrato de Consultoría",)},
    roles={"master_services": (role_es("Proveedor"), role_es("Cliente")),
           "non_disclosure": (role_es("Parte Divulgadora", feminine=True), role_es("Parte Receptora", feminine=True)),
           "supply": (role_es("Proveedor"), role_es("Comprador")),
           "license": (role_es("Licenciante"), role_es("Licenciatario")),
           "consulting": (role_es("Consultor"), role_es("Cliente"))},
    job_titles=(("Consejero Delegado", "Consejera Delegada"), ("Director General", "Directora General"),
                ("Director Financiero", "Directora Financiera"), ("Administrador Único", "Administradora Única"),
                ("Responsable de Compras", "Responsable de Compras"), ("Director Jurídico", "Directora Jurídica"),
                ("Apoderado", "Apoderada")),
    payment_terms=("a 30 días desde la fecha de factura", "a 60 días fecha factura",
                   "a 45 días desde la recepción de la factura", "mediante transferencia a 30 días"),
    clauses=_CLAUSES,
    phrases=_PHRASES,
    plan=_PLAN,
    schedules=_SCHEDULES,
    preamble=_preamble,
    months=lambda n: f"{n} meses",
    days=lambda n: f"{n} días",
)
