"""The words on printed documents, German (default) and English, and how dates and times are written."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

LANGUAGES = ("de", "en")

_COMMON_DE: dict[str, Any] = {
    "confidential": "Vertraulich – personenbezogene Daten",
    "page": "Seite",
    "of": "von",
    "stand": "Stand",
    "version": "Version",
    "none": "–",
}
_COMMON_EN: dict[str, Any] = {
    "confidential": "Confidential – personal data",
    "page": "Page",
    "of": "of",
    "stand": "As of",
    "version": "Version",
    "none": "–",
}

LABELS: dict[str, dict[str, Any]] = {
    "de": {
        **_COMMON_DE,
        "plan_title": "Entlassungsplan",
        "participant": "Teilnehmende Person",
        "prison": "Justizvollzugsanstalt",
        "staff_copy": "Ausfertigung für den Sozialdienst der JVA: enthält nur die freigegebenen Punkte.",
        "programme_copy": "Ausfertigung für die Ausstiegsbegleitung.",
        "release_dates": "Entlassungstermine",
        "kind": "Art",
        "date": "Datum",
        "source": "Quelle",
        "check": "prüfen",
        "planning_date": "Planungsdatum",
        "planning_basis": "Grundlage",
        "no_release_dates": "Keine Entlassungstermine erfasst.",
        "release_dates_not_shared": "Die Entlassungstermine sind nicht freigegeben.",
        "mentors": "Ausstiegsbegleitung",
        "role": "Rolle",
        "name": "Name",
        "phone": "Telefon",
        "email": "E-Mail",
        "no_mentors": "Keine Begleitung zugeordnet.",
        "changes": "Änderungen seit dem letzten Ausdruck",
        "changes_since": "Seit dem Ausdruck vom {date} (Version {version}):",
        "first_print": "Erster Ausdruck für diesen Empfängerkreis – noch keine Vergleichsgrundlage.",
        "no_changes": "Keine Änderungen an Fristen, Punkten und Terminen.",
        "plan": "Plan nach Bereichen",
        "item": "Aufgabe",
        "status": "Status",
        "due": "Fällig bis",
        "window_from": "ab",
        "no_items": "Keine Punkte.",
        "appointments": "Anstehende Termine bei Behörden und Stellen",
        "when": "Wann",
        "agency_place": "Stelle und Ort",
        "bring": "Mitzubringen",
        "contact": "Kontakt",
        "no_appointments": "Keine anstehenden Termine.",
        "signatures": "Unterschriften",
        "sign_participant": "Teilnehmende Person",
        "sign_mentor": "Ausstiegsbegleitung",
        "sign_prison": "Sozialdienst der JVA",
        "place_date": "Ort, Datum",
        "day_list_title": "Besuchsliste",
        "day_list_intro": "Besuche der Ausstiegsbegleitung am {date} (angefragt und bestätigt).",
        "time": "Uhrzeit",
        "visitors": "Besuchende",
        "room": "Raum",
        "visit_status": "Status",
        "visitor_requirements": "Für den Einlass",
        "clock_suffix": " Uhr",
        "no_visits": "Keine angefragten oder bestätigten Besuche an diesem Tag.",
        "visit_statuses": {"requested": "angefragt", "confirmed": "bestätigt"},
        "roles": {"lead": "Federführung", "co": "Co-Begleitung"},
        "statuses": {
            "open": "offen",
            "in_progress": "in Arbeit",
            "blocked": "blockiert",
            "done": "erledigt",
            "not_needed": "nicht nötig",
            "declined": "abgelehnt",
        },
        "due_states": {"overdue": "überfällig", "due_soon": "fällig", "not_yet_open": "noch nicht offen"},
        "kinds": {
            "sentence_start": "Strafbeginn",
            "pretrial_credit_days": "U-Haft-Anrechnung (Tage)",
            "sentence_end": "Strafende",
            "earliest_release_day": "vorverlegter Entlassungstag",
            "half_time": "Halbstrafe",
            "two_thirds": "Zwei-Drittel-Termin",
            "life_minimum": "Mindestverbüßung (lebenslang)",
            "planned_release": "geplanter Entlassungstag",
        },
        "sources": {
            "computed": "berechnet",
            "prison_letter": "Schreiben der JVA",
            "court_decision": "Gerichtsbeschluss",
            "mentor_estimate": "Schätzung der Begleitung",
        },
        "domains": {
            "release_dates": "Entlassungstermine",
            "early_release": "Vorzeitige Entlassung",
            "leave": "Lockerungen",
            "housing": "Wohnen",
            "protection": "Schutz",
            "identity": "Ausweisdokumente",
            "finances": "Finanzen",
            "income": "Lebensunterhalt",
            "work_training": "Arbeit und Ausbildung",
            "health": "Gesundheit",
            "addiction": "Sucht",
            "probation": "Bewährungshilfe",
            "deradicalisation": "Distanzierung",
            "family_social": "Familie und soziales Umfeld",
            "release_day": "Entlassungstag",
            "after_release": "Nach der Entlassung",
        },
        "change_texts": {
            "planning_date_moved": "Planungsdatum verschoben: {old} → {new}{shift}",
            "item_moved": "„{title}“: Frist verschoben {old} → {new}{shift}",
            "item_closed": "„{title}“: abgeschlossen ({new})",
            "item_reopened": "„{title}“: wieder offen ({new})",
            "item_added": "„{title}“: neu im Plan{due}",
            "item_removed": "„{title}“: aus dem Plan entfernt",
            "appointment_added": "Neuer Termin: {title}, {new}",
            "appointment_moved": "Termin verlegt: {title}, {old} → {new}",
            "appointment_cancelled": "Termin abgesagt: {title}, {old}",
            "appointment_removed": "Termin entfällt: {title}, {old}",
        },
        "shift_later": " ({days} Tage später)",
        "shift_earlier": " ({days} Tage früher)",
        "due_suffix": ", fällig bis {due}",
    },
    "en": {
        **_COMMON_EN,
        "plan_title": "Release plan",
        "participant": "Participant",
        "prison": "Prison",
        "staff_copy": "Copy for the prison social service: shows the shared items only.",
        "programme_copy": "Copy for the mentors.",
        "release_dates": "Release dates",
        "kind": "Kind",
        "date": "Date",
        "source": "Source",
        "check": "to be checked",
        "planning_date": "Planning date",
        "planning_basis": "basis",
        "no_release_dates": "No release dates recorded.",
        "release_dates_not_shared": "The release dates are not shared.",
        "mentors": "Mentors",
        "role": "Role",
        "name": "Name",
        "phone": "Phone",
        "email": "Email",
        "no_mentors": "No mentor assigned.",
        "changes": "Changes since the last print",
        "changes_since": "Since the print of {date} (version {version}):",
        "first_print": "First print for this audience – nothing to compare with yet.",
        "no_changes": "No changes to deadlines, items or appointments.",
        "plan": "Plan by domain",
        "item": "Item",
        "status": "Status",
        "due": "Due by",
        "window_from": "from",
        "no_items": "No items.",
        "appointments": "Upcoming agency appointments",
        "when": "When",
        "agency_place": "Agency and place",
        "bring": "What to bring",
        "contact": "Contact",
        "no_appointments": "No upcoming appointments.",
        "signatures": "Signatures",
        "sign_participant": "Participant",
        "sign_mentor": "Mentor",
        "sign_prison": "Prison social service",
        "place_date": "Place, date",
        "day_list_title": "Visitor list",
        "day_list_intro": "Visits by exit-programme mentors on {date} (requested and confirmed).",
        "time": "Time",
        "visitors": "Visitors",
        "room": "Room",
        "visit_status": "Status",
        "visitor_requirements": "Visitors must bring",
        "clock_suffix": "",
        "no_visits": "No requested or confirmed visits on this day.",
        "visit_statuses": {"requested": "requested", "confirmed": "confirmed"},
        "roles": {"lead": "Lead mentor", "co": "Co-mentor"},
        "statuses": {
            "open": "open",
            "in_progress": "in progress",
            "blocked": "blocked",
            "done": "done",
            "not_needed": "not needed",
            "declined": "declined",
        },
        "due_states": {"overdue": "overdue", "due_soon": "due", "not_yet_open": "not open yet"},
        "kinds": {
            "sentence_start": "Sentence start",
            "pretrial_credit_days": "Pre-trial credit (days)",
            "sentence_end": "Sentence end",
            "earliest_release_day": "Earliest release day",
            "half_time": "Half time",
            "two_thirds": "Two thirds",
            "life_minimum": "Life sentence minimum",
            "planned_release": "Planned release",
        },
        "sources": {
            "computed": "computed",
            "prison_letter": "prison letter",
            "court_decision": "court decision",
            "mentor_estimate": "mentor estimate",
        },
        "domains": {
            "release_dates": "Release dates",
            "early_release": "Early release",
            "leave": "Leave",
            "housing": "Housing",
            "protection": "Protection",
            "identity": "Identity documents",
            "finances": "Finances",
            "income": "Income",
            "work_training": "Work and training",
            "health": "Health",
            "addiction": "Addiction",
            "probation": "Probation",
            "deradicalisation": "Deradicalisation",
            "family_social": "Family and social",
            "release_day": "Release day",
            "after_release": "After release",
        },
        "change_texts": {
            "planning_date_moved": "Planning date moved: {old} → {new}{shift}",
            "item_moved": "“{title}”: deadline moved {old} → {new}{shift}",
            "item_closed": "“{title}”: closed ({new})",
            "item_reopened": "“{title}”: reopened ({new})",
            "item_added": "“{title}”: new on the plan{due}",
            "item_removed": "“{title}”: removed from the plan",
            "appointment_added": "New appointment: {title}, {new}",
            "appointment_moved": "Appointment moved: {title}, {old} → {new}",
            "appointment_cancelled": "Appointment cancelled: {title}, {old}",
            "appointment_removed": "Appointment dropped: {title}, {old}",
        },
        "shift_later": " ({days} days later)",
        "shift_earlier": " ({days} days earlier)",
        "due_suffix": ", due by {due}",
    },
}

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = {
    "de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def format_date(value: date | datetime | str | None, language: str, *, weekday: bool = False) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    day = value.date() if isinstance(value, datetime) else value
    text = f"{day:%d.%m.%Y}" if language == "de" else f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    if weekday:
        text = f"{_WEEKDAYS[language][day.weekday()]}, {text}"
    return text


def format_time(value: datetime) -> str:
    return f"{value:%H:%M}"


def format_datetime(value: datetime | str, language: str) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    suffix = " Uhr" if language == "de" else ""
    return f"{format_date(value, language, weekday=True)}, {format_time(value)}{suffix}"


def label(table: dict[str, str], key: str) -> str:
    """A known label, or the key made readable (data may carry values this code does not know yet)."""
    return table.get(key) or key.replace("_", " ")


def change_text(change: Any, language: str) -> str:
    """One line of "changes since the last print" (plain text: the template escapes it)."""
    t = LABELS[language]
    appointment = change.kind.startswith("appointment_")

    def when(value: str) -> str:
        if not value:
            return "–"
        return format_datetime(value, language) if appointment else format_date(value, language)

    shift = ""
    if change.days:
        shift = (t["shift_later"] if change.days > 0 else t["shift_earlier"]).format(days=abs(change.days))
    due = (
        t["due_suffix"].format(due=format_date(change.new, language))
        if change.kind == "item_added" and change.new
        else ""
    )
    if change.kind in ("item_closed", "item_reopened"):
        old, new = t["statuses"].get(change.old, change.old), t["statuses"].get(change.new, change.new)
    else:
        old, new = when(change.old), when(change.new)
    return str(
        t["change_texts"][change.kind].format(
            title=change.title(language),
            old=old,
            new=new,
            shift=shift,
            due=due,
        )
    )
