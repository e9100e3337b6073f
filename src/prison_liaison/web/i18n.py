"""The pages' words in German (default) and English: one small catalogue, no gettext machinery."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

LANGS = ("de", "en")
DEFAULT_LANG = "de"
BERLIN = ZoneInfo("Europe/Berlin")

CATALOGUE: dict[str, dict[str, str]] = {
    "de": {
        "app_name": "Ausstiegsbegleitung",
        "skip_to_content": "Zum Inhalt springen",
        "main_navigation": "Hauptnavigation",
        "language": "Sprache",
        "switch_language": "English",
        "logged_in_as": "Angemeldet als {name}",
        "logout": "Abmelden",
        "login": "Anmelden",
        "login_title": "Anmeldung",
        "login_intro": "Bitte melden Sie sich mit Ihrem Benutzernamen und Passwort an.",
        "username": "Benutzername",
        "password": "Passwort",
        "login_failed": "Benutzername oder Passwort ist falsch.",
        "login_throttled": "Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie {minutes} Minute(n) und "
        "versuchen Sie es dann erneut.",
        "logged_out": "Sie wurden abgemeldet.",
        "session_expired": "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.",
        "csrf_failed": "Das Formular war veraltet. Bitte laden Sie die Seite neu und versuchen Sie "
        "es erneut.",
        "nav_start": "Start",
        "nav_participants": "Teilnehmende",
        "nav_users": "Benutzer",
        "nav_prisons": "Justizvollzugsanstalten",
        "nav_audit": "Protokoll",
        "nav_shared_plans": "Freigegebene Pläne",
        "start_title": "Übersicht",
        "hello": "Guten Tag, {name}.",
        "participants_title": "Teilnehmende",
        "participants_by_release": "Teilnehmende nach Entlassungstermin",
        "participants_intro": "Sortiert nach dem Planungsdatum (voraussichtliche Entlassung), das "
        "nächste zuerst.",
        "no_participants": "Keine Teilnehmenden sichtbar.",
        "code": "Kennung",
        "initials": "Initialen",
        "name": "Name",
        "status": "Status",
        "prison": "JVA",
        "planning_date": "Planungsdatum",
        "days_to_release": "Tage bis Entlassung",
        "in_days": "in {n} Tagen",
        "today": "heute",
        "days_ago": "vor {n} Tagen",
        "not_set": "nicht festgelegt",
        "cadence": "Besuchsrhythmus",
        "every_n_days": "alle {n} Tage",
        "cadence_in_days": "Besuchsrhythmus in Tagen",
        "confirm_deactivate": "Benutzer wirklich deaktivieren? Alle Sitzungen enden sofort.",
        "confirm_reset": "Passwort wirklich zurücksetzen? Die Person wird abgemeldet.",
        "you": "Sie selbst",
        "mentors": "Mentor:innen",
        "lead": "federführend",
        "co": "Co-Mentor:in",
        "admitted_on": "Aufnahme in die JVA",
        "planning_basis": "Planungsgrundlage",
        "notes": "Fallnotizen",
        "base_data": "Stammdaten",
        "details": "Details",
        "open": "Öffnen",
        "save": "Speichern",
        "saved": "Gespeichert.",
        "back_to_list": "Zurück zur Liste",
        "not_found_title": "Nicht gefunden",
        "not_found_text": "Diese Seite gibt es nicht, oder Sie haben keinen Zugriff darauf.",
        "forbidden_title": "Nicht erlaubt",
        "forbidden_text": "Diese Aktion ist für Ihre Rolle nicht erlaubt.",
        "error_title": "Das hat nicht geklappt",
        "error_generic": "Die Eingabe konnte nicht verarbeitet werden.",
        "error_field": "Feld „{field}“: {detail}",
        "stale_version": "Der Datensatz wurde inzwischen von jemand anderem geändert. Bitte laden "
        "Sie die Seite "
        "neu und prüfen Sie die Änderungen.",
        "to_start": "Zur Übersicht",
        "edit_case": "Fall bearbeiten",
        "status_inquiry": "Anfrage",
        "status_intake": "Aufnahme",
        "status_in_custody": "in Haft",
        "status_released": "entlassen",
        "status_completed": "abgeschlossen",
        "status_withdrawn": "ausgestiegen",
        "status_declined": "abgelehnt",
        "basis_expected_release": "voraussichtliche Entlassung",
        "basis_two_thirds": "Zwei-Drittel-Termin",
        "basis_half_time": "Halbstrafe",
        "basis_end_of_sentence": "Strafende",
        "role_coordinator": "Koordination",
        "role_mentor": "Mentor:in",
        "role_prison_staff": "JVA-Sozialdienst",
        # users
        "users_title": "Benutzer",
        "create_user": "Benutzer anlegen",
        "display_name": "Anzeigename",
        "role": "Rolle",
        "email": "E-Mail",
        "phone": "Telefon",
        "prison_for_staff": "JVA (nur für JVA-Sozialdienst)",
        "no_prison": "— keine —",
        "active": "aktiv",
        "inactive": "deaktiviert",
        "last_login": "Letzte Anmeldung",
        "never": "nie",
        "actions": "Aktionen",
        "deactivate": "Deaktivieren",
        "activate": "Aktivieren",
        "reset_password": "Passwort zurücksetzen",
        "user_created": "Benutzer {username} angelegt. Erstpasswort (nur jetzt sichtbar): {password}",
        "password_reset_done": "Neues Passwort für {username} (nur jetzt sichtbar): {password}",
        "user_deactivated": "Benutzer deaktiviert; alle Sitzungen wurden beendet.",
        "user_activated": "Benutzer wieder aktiviert.",
        "password_optional": "Passwort (leer lassen: wird erzeugt)",
        # prisons
        "prisons_title": "Justizvollzugsanstalten",
        "prison_name": "Name",
        "land": "Bundesland",
        "lead_time": "Vorlaufzeit für Besuche",
        "lead_time_days": "{n} Tage",
        "max_visit": "Maximale Besuchsdauer",
        "minutes": "{n} Minuten",
        "unit_days": "Tage",
        "unit_minutes": "Minuten",
        "travel_buffer": "Puffer für Anfahrt",
        "security_check": "Sicherheitsüberprüfung vor dem ersten Besuch",
        "yes": "ja",
        "no": "nein",
        "address": "Anschrift",
        "social_service_contact": "Sozialdienst",
        "visitor_requirements": "Mitzubringen",
        "visiting_windows": "Besuchszeiten",
        "weekday": "Wochentag",
        "from_time": "von",
        "to_time": "bis",
        "valid": "gültig",
        "always": "immer",
        "no_windows": "Keine Besuchszeiten hinterlegt.",
        "closures": "Schließtage",
        "no_closures": "Keine Schließtage eingetragen.",
        "add_closure": "Schließtag eintragen",
        "start_date": "Erster Tag",
        "end_date": "Letzter Tag",
        "reason": "Grund",
        "remove": "Entfernen",
        "closure_added": "Schließtag eingetragen. Der Terminfinder schlägt diese Tage nicht mehr vor.",
        "closure_removed": "Schließtag entfernt.",
        "window_added": "Besuchszeit hinzugefügt.",
        "window_removed": "Besuchszeit entfernt.",
        "add_window": "Besuchszeit hinzufügen",
        "valid_from": "gültig ab (optional)",
        "valid_to": "gültig bis (optional)",
        "rules": "Regeln",
        "weekday_0": "Montag",
        "weekday_1": "Dienstag",
        "weekday_2": "Mittwoch",
        "weekday_3": "Donnerstag",
        "weekday_4": "Freitag",
        "weekday_5": "Samstag",
        "weekday_6": "Sonntag",
        # audit
        "audit_title": "Protokoll",
        "audit_intro": "Wer hat wann was gesehen oder geändert. Nur für die Koordination.",
        "action_prefix": "Aktion beginnt mit",
        "participant": "Teilnehmende:r",
        "any": "alle",
        "since": "von",
        "until": "bis",
        "search": "Suchen",
        "when": "Zeitpunkt",
        "who": "Wer",
        "action": "Aktion",
        "subject": "Objekt",
        "no_events": "Keine Einträge gefunden.",
        "more": "Weitere Einträge",
        # visit rules (codes from the visit planner), in plain words
        "rule_prison_closed": "Die JVA ist an diesem Tag geschlossen (Schließtag).",
        "rule_public_holiday": "An diesem Tag ist ein gesetzlicher Feiertag; die JVA hat dann keine "
        "Besuchszeit.",
        "rule_outside_visiting_window": "Der Termin liegt außerhalb der Besuchszeiten der JVA an diesem Tag.",
        "rule_in_past": "Der Termin liegt in der Vergangenheit.",
        "rule_lead_time": "Die JVA braucht mehr Vorlauf: Besuche müssen früher angemeldet werden.",
        "rule_too_long": "Der Besuch ist länger als die JVA erlaubt.",
        "rule_no_mentor": "Mindestens eine:r der beiden Mentor:innen muss am Besuch teilnehmen.",
        "rule_participant_busy": "Die teilnehmende Person hat zu dieser Zeit schon einen anderen Termin.",
        "rule_mentor_busy": "Eine Mentorin oder ein Mentor hat zu dieser Zeit schon einen anderen Besuch "
        "(Anfahrtspuffer eingerechnet).",
        "rule_after_release": "Der Termin läge am oder nach dem geplanten Entlassungstag – oder die "
        "Person ist "
        "nicht mehr in Haft; dann ist ein Treffen statt eines JVA-Besuchs zu planen.",
        "rule_not_a_mentor": "Nur die aktuellen Mentor:innen dieser Person können am Besuch teilnehmen.",
        "rule_override_not_allowed": "Nur die Koordination darf die Vorlaufzeit übergehen.",
        "rule_visit_closed": "Dieser Besuch ist abgeschlossen oder abgesagt und kann nicht mehr "
        "geändert werden.",
        "rule_invalid_transition": "Dieser Statuswechsel ist für den Besuch nicht möglich.",
        "rule_visit_not_started": "Der Besuch hat noch nicht begonnen.",
        "rule_read_only": "Sie haben nur Lesezugriff.",
        # shared plans (prison staff)
        "shared_plans_title": "Für Ihre JVA freigegebene Pläne",
        "shared_plans_intro": "Sie sehen nur Pläne, die die Mentor:innen mit Zustimmung der "
        "Teilnehmenden für "
        "Ihre Anstalt freigegeben haben, und nur lesend.",
        "no_shared_plans": "Zurzeit ist kein Plan für Ihre Anstalt freigegeben.",
        "read_only": "nur lesend",
    },
    "en": {
        "app_name": "Exit programme liaison",
        "skip_to_content": "Skip to content",
        "main_navigation": "Main navigation",
        "language": "Language",
        "switch_language": "Deutsch",
        "logged_in_as": "Signed in as {name}",
        "logout": "Sign out",
        "login": "Sign in",
        "login_title": "Sign in",
        "login_intro": "Please sign in with your user name and password.",
        "username": "User name",
        "password": "Password",
        "login_failed": "Wrong user name or password.",
        "login_throttled": "Too many failed sign-ins. Please wait {minutes} minute(s) and try again.",
        "logged_out": "You have been signed out.",
        "session_expired": "Your session has expired. Please sign in again.",
        "csrf_failed": "The form was out of date. Please reload the page and try again.",
        "nav_start": "Start",
        "nav_participants": "Participants",
        "nav_users": "Users",
        "nav_prisons": "Prisons",
        "nav_audit": "Audit log",
        "nav_shared_plans": "Shared plans",
        "start_title": "Overview",
        "hello": "Hello, {name}.",
        "participants_title": "Participants",
        "participants_by_release": "Participants by release date",
        "participants_intro": "Ordered by planning date (expected release), soonest first.",
        "no_participants": "No participants visible.",
        "code": "Code",
        "initials": "Initials",
        "name": "Name",
        "status": "Status",
        "prison": "Prison",
        "planning_date": "Planning date",
        "days_to_release": "Days to release",
        "in_days": "in {n} days",
        "today": "today",
        "days_ago": "{n} days ago",
        "not_set": "not set",
        "cadence": "Visit cadence",
        "every_n_days": "every {n} days",
        "cadence_in_days": "Visit cadence in days",
        "confirm_deactivate": "Really deactivate this user? All their sessions end at once.",
        "confirm_reset": "Really reset the password? The user is signed out.",
        "you": "you",
        "mentors": "Mentors",
        "lead": "lead",
        "co": "co-mentor",
        "admitted_on": "Admitted to prison",
        "planning_basis": "Planning basis",
        "notes": "Case notes",
        "base_data": "Base data",
        "details": "Details",
        "open": "Open",
        "save": "Save",
        "saved": "Saved.",
        "back_to_list": "Back to the list",
        "not_found_title": "Not found",
        "not_found_text": "This page does not exist, or you have no access to it.",
        "forbidden_title": "Not allowed",
        "forbidden_text": "Your role may not do this.",
        "error_title": "That did not work",
        "error_generic": "The input could not be processed.",
        "error_field": "Field “{field}”: {detail}",
        "stale_version": "Someone else changed this record in the meantime. Please reload the page "
        "and check.",
        "to_start": "To the overview",
        "edit_case": "Edit case",
        "status_inquiry": "inquiry",
        "status_intake": "intake",
        "status_in_custody": "in custody",
        "status_released": "released",
        "status_completed": "completed",
        "status_withdrawn": "withdrawn",
        "status_declined": "declined",
        "basis_expected_release": "expected release",
        "basis_two_thirds": "two-thirds date",
        "basis_half_time": "half time",
        "basis_end_of_sentence": "end of sentence",
        "role_coordinator": "Coordinator",
        "role_mentor": "Mentor",
        "role_prison_staff": "Prison social services",
        "users_title": "Users",
        "create_user": "Create user",
        "display_name": "Display name",
        "role": "Role",
        "email": "E-mail",
        "phone": "Phone",
        "prison_for_staff": "Prison (prison staff only)",
        "no_prison": "— none —",
        "active": "active",
        "inactive": "deactivated",
        "last_login": "Last sign-in",
        "never": "never",
        "actions": "Actions",
        "deactivate": "Deactivate",
        "activate": "Activate",
        "reset_password": "Reset password",
        "user_created": "User {username} created. Initial password (shown only now): {password}",
        "password_reset_done": "New password for {username} (shown only now): {password}",
        "user_deactivated": "User deactivated; all their sessions were ended.",
        "user_activated": "User activated again.",
        "password_optional": "Password (leave empty to generate one)",
        "prisons_title": "Prisons",
        "prison_name": "Name",
        "land": "Land",
        "lead_time": "Booking lead time",
        "lead_time_days": "{n} days",
        "max_visit": "Maximum visit length",
        "minutes": "{n} minutes",
        "unit_days": "days",
        "unit_minutes": "minutes",
        "travel_buffer": "Travel buffer",
        "security_check": "Security check before the first visit",
        "yes": "yes",
        "no": "no",
        "address": "Address",
        "social_service_contact": "Social services",
        "visitor_requirements": "Visitors must bring",
        "visiting_windows": "Visiting windows",
        "weekday": "Weekday",
        "from_time": "from",
        "to_time": "to",
        "valid": "valid",
        "always": "always",
        "no_windows": "No visiting windows.",
        "closures": "Closures",
        "no_closures": "No closures.",
        "add_closure": "Add a closure",
        "start_date": "First day",
        "end_date": "Last day",
        "reason": "Reason",
        "remove": "Remove",
        "closure_added": "Closure added. The slot finder no longer proposes these days.",
        "closure_removed": "Closure removed.",
        "window_added": "Visiting window added.",
        "window_removed": "Visiting window removed.",
        "add_window": "Add a visiting window",
        "valid_from": "valid from (optional)",
        "valid_to": "valid to (optional)",
        "rules": "Rules",
        "weekday_0": "Monday",
        "weekday_1": "Tuesday",
        "weekday_2": "Wednesday",
        "weekday_3": "Thursday",
        "weekday_4": "Friday",
        "weekday_5": "Saturday",
        "weekday_6": "Sunday",
        "audit_title": "Audit log",
        "audit_intro": "Who saw or changed what, and when. Coordinators only.",
        "action_prefix": "Action starts with",
        "participant": "Participant",
        "any": "any",
        "since": "from",
        "until": "to",
        "search": "Search",
        "when": "When",
        "who": "Who",
        "action": "Action",
        "subject": "Subject",
        "no_events": "No entries found.",
        "more": "More entries",
        "rule_prison_closed": "The prison is closed on that day.",
        "rule_public_holiday": "That day is a public holiday; the prison has no visiting hours.",
        "rule_outside_visiting_window": "The time is outside the prison's visiting hours on that day.",
        "rule_in_past": "The time lies in the past.",
        "rule_lead_time": "The prison needs more notice: visits must be booked earlier.",
        "rule_too_long": "The visit is longer than the prison allows.",
        "rule_no_mentor": "At least one of the two mentors must attend.",
        "rule_participant_busy": "The participant has another appointment at that time.",
        "rule_mentor_busy": "A mentor has another visit at that time (travel buffer included).",
        "rule_after_release": "The time is on or after the planned release day, or the participant "
        "is no longer "
        "in custody: plan a meeting instead of a prison visit.",
        "rule_not_a_mentor": "Only the participant's current mentors can attend.",
        "rule_override_not_allowed": "Only coordinators may override the lead time.",
        "rule_visit_closed": "This visit is completed or cancelled and can no longer be changed.",
        "rule_invalid_transition": "This status change is not possible for the visit.",
        "rule_visit_not_started": "The visit has not started yet.",
        "rule_read_only": "You have read-only access.",
        "shared_plans_title": "Plans shared with your prison",
        "shared_plans_intro": "You see only plans the mentors shared with your prison with the participant's "
        "consent, read-only.",
        "no_shared_plans": "No plan is shared with your prison at the moment.",
        "read_only": "read-only",
    },
}

# Field names the services report, in words a user recognises.
FIELD_NAMES: dict[str, dict[str, str]] = {
    "de": {
        "username": "Benutzername",
        "password": "Passwort",
        "prison_id": "JVA",
        "start_date": "Erster Tag",
        "end_date": "Letzter Tag",
        "role": "Rolle",
        "cadence_days": "Besuchsrhythmus",
        "date": "Datum",
        "reason": "Grund",
        "weekday": "Wochentag",
        "start_time": "von",
        "end_time": "bis",
        "valid_from": "gültig ab",
        "valid_to": "gültig bis",
        "starts_at": "Beginn",
        "ends_at": "Ende",
        "minutes": "Dauer",
    },
    "en": {},
}


def pick_lang(query: str | None, cookie: str | None) -> str:
    for value in (query, cookie):
        if value in LANGS:
            return value  # type: ignore[return-value]
    return DEFAULT_LANG


class Translator:
    """Bound to one language; templates call it as ``t("key", name=...)``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else DEFAULT_LANG
        self._words = CATALOGUE[self.lang]

    def __call__(self, key: str, **values: Any) -> str:
        text = self._words.get(key) or CATALOGUE[DEFAULT_LANG].get(key) or key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._words

    def field(self, name: str | None) -> str:
        if not name:
            return ""
        base = name.split("[")[0].split(".")[-1]
        return FIELD_NAMES[self.lang].get(base, base)

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return self("not_set")
        if isinstance(value, datetime):
            value = value.astimezone(BERLIN).date()
        return value.strftime("%d.%m.%Y") if self.lang == "de" else value.isoformat()

    def datetime(self, value: datetime | None) -> str:
        if value is None:
            return self("never")
        local = value.astimezone(BERLIN)
        return local.strftime("%d.%m.%Y %H:%M") if self.lang == "de" else local.strftime("%Y-%m-%d %H:%M")

    def time(self, value: datetime | None) -> str:
        return "" if value is None else value.astimezone(BERLIN).strftime("%H:%M")

    def weekday(self, value: date | datetime | int) -> str:
        index = value if isinstance(value, int) else value.weekday()
        return self(f"weekday_{index}")

    def relative_days(self, days: int | None) -> str:
        if days is None:
            return self("not_set")
        if days == 0:
            return self("today")
        return self("in_days", n=days) if days > 0 else self("days_ago", n=-days)
