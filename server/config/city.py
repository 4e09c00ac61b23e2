"""``[city]`` in a hall's ``loket.toml`` (forwarding to the city's central database), and
``city.toml``, the config of the city-wide view (`loket city serve`)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from loket.server.config.base import FileConfig, Section
from loket.server.config.hall import ServerSection, StorageSection, known_timezone
from loket.server.config.security import SecuritySection


class CityConfigError(ValueError):
    """A value that is valid alone but not for the city; carries the key path."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class CitySection(Section):
    url: str = ""
    """SQLAlchemy URL of the city's central database that `loket city forward` sends this
    hall's tickets and survey scores to (``postgresql+psycopg://loket:SECRET@kota/loket_kota``).
    Empty: this hall forwards nothing. The hall never waits on it: forwarding runs as its own
    process and catches up after an outage."""
    hall_id: str = Field(default="", pattern=r"^([a-z0-9][a-z0-9\-]{0,39})?$")
    """This hall's id in the city's database (``mpp-siola``); unique in the city. Empty: made
    from ``[hall] name``."""
    interval_s: float = Field(default=5.0, ge=0.5, le=600.0)
    """Seconds between forwarding rounds (when there is nothing left to send)."""
    batch_size: int = Field(default=500, ge=1, le=10000)
    """Changed rows sent to the city per transaction."""
    connect_timeout_s: float = Field(default=10.0, ge=1.0, le=120.0)
    """How long to wait for the city's database before trying again later."""


class CityViewSection(Section):
    name: str = Field(min_length=1, max_length=120)
    """Name shown on the city-wide view ("Pemerintah Kota Contoh")."""
    stale_after_s: float = Field(default=120.0, ge=5.0, le=86400.0)
    """A hall that has sent nothing for this long is shown as offline, with the time of its
    last report (its figures are as of then)."""
    refresh_s: float = Field(default=15.0, ge=1.0, le=600.0)
    """How often the open page fetches fresh figures, in seconds."""
    timezone: str = "Asia/Jakarta"
    """Time zone the city's "today" is counted in."""
    language: str = Field(default="id", pattern=r"^(id|en)$")
    """Default language of the city-wide view."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_timezone(value)


class CityConfig(FileConfig):
    """``city.toml``: the city-wide view of several halls."""

    city: CityViewSection
    """[city]: name and how old a hall's last report may be."""
    storage: StorageSection
    """[storage]: the central database (``url`` is required; the halls forward into it)."""
    server: ServerSection = Field(default_factory=ServerSection)
    """[server]: listening address and HTTP limits of the city-wide view."""
    security: SecuritySection = Field(default_factory=SecuritySection)
    """[security]: session timeouts and login lockout of the city-wide view."""

    @model_validator(mode="after")
    def _needs_database(self) -> CityConfig:
        if not self.storage.url:
            raise CityConfigError(
                "storage.url", "the city's central database URL is required "
                "(postgresql+psycopg://user:pass@host/loket_kota)")
        return self
