"""``[backup]``: the hub's own daily backup (see docs/deploy.md, "Backups")."""

from __future__ import annotations

from pydantic import Field

from loket.server.config.base import Section


class BackupSection(Section):
    dir: str = ""
    """Folder the hub writes a backup to every day (relative to the config file). Empty: no
    automatic backups; `loket backup` then writes to ``backups`` beside the config file."""
    keep_days: int = Field(default=14, ge=1, le=3650)
    """Backups in ``dir`` older than this many days are deleted after a successful backup."""
    time: str = Field(default="02:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    """Time of day (HH:MM, the hall's time zone) of the automatic backup; a hub that was off
    at that time makes up for it shortly after it starts."""
