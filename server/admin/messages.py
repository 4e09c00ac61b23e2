"""Words of the admin pages and the admin API's refusals (Indonesian first, KBBI)."""

from __future__ import annotations

from server.i18n import register

register(
    {
        "error.exists": {"id": "{what} sudah ada.", "en": "{what} already exists."},
        "error.has_waiting": {
            "id": "Layanan {service} tidak dapat dihapus: {n} nomor antrean masih menunggu "
                  "atau dilayani hari ini. Hentikan sementara atau tutup layanan ini dahulu.",
            "en": "Service {service} cannot be deleted: {n} tickets are still waiting or being "
                  "served today. Pause or close the service instead.",
        },
        "error.unknown_entry": {
            "id": "Entri kalender {id} tidak dikenal.",
            "en": "Unknown calendar entry {id}.",
        },
        "error.unknown_user": {"id": "Pengguna {user} tidak dikenal.",
                               "en": "Unknown user {user}."},
        "error.unknown_token": {"id": "Token {id} tidak dikenal.", "en": "Unknown token {id}."},
    }
)
