"""The whole of ``loket.toml`` and the checks that span several tables."""

from __future__ import annotations

from pydantic import Field, model_validator

from loket.server.config.audio import AudioSection
from loket.server.config.backup import BackupSection
from loket.server.config.base import FileConfig
from loket.server.config.booking import BookingSection
from loket.server.config.city import CitySection
from loket.server.config.display import DisplaySection
from loket.server.config.hall import (
    AgencySection,
    CounterSection,
    HallSection,
    QueueSection,
    RealtimeSection,
    ServerSection,
    ServiceSection,
    StorageSection,
    slugify,
)
from loket.server.config.integrations import IntegrationsSection
from loket.server.config.keypads import KeypadPortSection
from loket.server.config.kiosk import KioskDeviceSection, KioskSection
from loket.server.config.notify import NotifySection
from loket.server.config.security import SecuritySection
from loket.server.hours import OpeningRule


class CrossCheckError(ValueError):
    """A value that is valid alone but contradicts another table; carries the key path."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class LoketConfig(FileConfig):
    hall: HallSection
    """[hall]: name, time zone and language."""
    queue: QueueSection = Field(default_factory=QueueSection)
    """[queue]: how the next ticket is chosen."""
    agencies: list[AgencySection] = Field(default_factory=list)
    """[[agencies]]: optional; agencies named by services are added automatically."""
    services: list[ServiceSection] = Field(min_length=1)
    """[[services]]: at least one."""
    counters: list[CounterSection] = Field(min_length=1)
    """[[counters]]: at least one."""
    keypads: list[KeypadPortSection] = Field(default_factory=list)
    """[[keypads]]: serial ports with keypads. None: `loket serve` simulates keypads."""
    audio: AudioSection = Field(default_factory=AudioSection)
    """[audio]: announcements."""
    kiosk: KioskSection = Field(default_factory=KioskSection)
    """[kiosk]: ticket machine behaviour."""
    kiosks: list[KioskDeviceSection] = Field(default_factory=list)
    """[[kiosks]]: per-kiosk printers and agency filters."""
    display: DisplaySection = Field(default_factory=DisplaySection)
    """[display]: wall screens."""
    storage: StorageSection = Field(default_factory=StorageSection)
    """[storage]: the database."""
    realtime: RealtimeSection = Field(default_factory=RealtimeSection)
    """[realtime]: Socket.IO mode and the Redis message queue."""
    server: ServerSection = Field(default_factory=ServerSection)
    """[server]: listening address and HTTP limits."""
    city: CitySection = Field(default_factory=CitySection)
    """[city]: forwarding this hall's figures to the city's central database."""
    security: SecuritySection = Field(default_factory=SecuritySection)
    """[security]: session timeouts, login lockout and connection limits."""
    backup: BackupSection = Field(default_factory=BackupSection)
    """[backup]: the hub's own daily backup."""
    notify: NotifySection = Field(default_factory=NotifySection)
    """[notify]: notices on citizens' phones (WhatsApp, SMS) and booking e-mails."""
    integrations: IntegrationsSection = Field(default_factory=IntegrationsSection)
    """[integrations]: event webhooks for agencies' systems and the open-data figures."""
    booking: BookingSection = Field(default_factory=BookingSection)
    """[booking] and [[booking.sessions]]: online booking of a time at the hall."""

    @property
    def city_hall_id(self) -> str:
        """This hall's id in the city's database."""
        return self.city.hall_id or slugify(self.hall.name)[:40]

    def agency_id(self, agency: str) -> str:
        """The URL id of a service's ``agency`` (its ``[[agencies]]`` id, or the slugified
        name)."""
        for a in self.agencies:
            if agency.lower() in (a.name.lower(), a.slug):
                return a.slug
        return slugify(agency)

    def agency_name(self, agency: str) -> str:
        """The display name of a service's ``agency``."""
        for a in self.agencies:
            if agency.lower() in (a.name.lower(), a.slug):
                return a.name
        return agency

    @model_validator(mode="after")
    def _cross_checks(self) -> LoketConfig:
        known_agencies = self._check_agencies()
        prefixes = self._check_services(known_agencies)
        counter_ids = self._check_counters(prefixes)
        self._check_sessions(prefixes)
        if self.city.url and not (self.city.hall_id or slugify(self.hall.name)):
            raise CrossCheckError("city.hall_id", "set a hall id (the hall's name has no "
                                  "letters or digits to make one from)")
        self._check_keypads(prefixes, counter_ids)
        return self

    def _check_agencies(self) -> set[str]:
        """Agency names and slugs are unique; returns both, lower-case."""
        known_agencies: set[str] = set()
        for i, agency in enumerate(self.agencies):
            for key in (agency.name.lower(), agency.slug):
                if key in known_agencies:
                    raise CrossCheckError(f"agencies[{i}].name", f"agency {agency.name!r} twice")
            known_agencies.update({agency.name.lower(), agency.slug})
        return known_agencies

    def _check_services(self, known_agencies: set[str]) -> set[str]:
        """Service prefixes are unique and name a known agency; returns the prefixes."""
        prefixes: set[str] = set()
        for i, service in enumerate(self.services):
            if service.prefix in prefixes:
                raise CrossCheckError(
                    f"services[{i}].prefix", f"prefix {service.prefix!r} is used twice"
                )
            prefixes.add(service.prefix)
            if self.agencies and service.agency.lower() not in known_agencies and (
                slugify(service.agency) not in known_agencies
            ):
                raise CrossCheckError(
                    f"services[{i}].agency",
                    f"agency {service.agency!r} is not in [[agencies]]",
                )
        return prefixes

    def _check_counters(self, prefixes: set[str]) -> set[str]:
        """Counter ids are unique and serve known services; returns the ids."""
        counter_ids: set[str] = set()
        for i, counter in enumerate(self.counters):
            if counter.id in counter_ids:
                raise CrossCheckError(f"counters[{i}].id", f"counter id {counter.id!r} twice")
            counter_ids.add(counter.id)
            for j, prefix in enumerate(counter.services):
                if prefix not in prefixes:
                    raise CrossCheckError(
                        f"counters[{i}].services[{j}]",
                        f"service {prefix!r} is not defined in [[services]]",
                    )
        return counter_ids

    def _check_keypads(self, prefixes: set[str], counter_ids: set[str]) -> None:
        """Keypad addresses name known counters, redirects known services."""
        for i, port in enumerate(self.keypads):
            for address, counter_id in port.addresses.items():
                if counter_id not in counter_ids:
                    raise CrossCheckError(
                        f"keypads[{i}].addresses.{address}",
                        f"counter {counter_id!r} is not defined in [[counters]]",
                    )
            for address, prefix in port.redirect.items():
                if prefix not in prefixes:
                    raise CrossCheckError(
                        f"keypads[{i}].redirect.{address}",
                        f"service {prefix!r} is not defined in [[services]]",
                    )

    def _check_sessions(self, prefixes: set[str]) -> None:
        """Booking sessions name known services and do not overlap within a service."""
        placed: dict[str, list[tuple[int, OpeningRule]]] = {}
        for i, session in enumerate(self.booking.sessions):
            if session.service not in prefixes:
                raise CrossCheckError(
                    f"booking.sessions[{i}].service",
                    f"service {session.service!r} is not defined in [[services]]",
                )
            rule = session.rule
            for j, other in placed.get(session.service, []):
                if rule.days & other.days and rule.start < other.end and other.start < rule.end:
                    raise CrossCheckError(
                        f"booking.sessions[{i}]",
                        f"overlaps booking.sessions[{j}] of service {session.service!r}",
                    )
            placed.setdefault(session.service, []).append((i, rule))
