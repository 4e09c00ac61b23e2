"""The wall screens' words, Indonesian first (KBBI: antrean, silakan), English selectable."""

from __future__ import annotations

from server.i18n import register

MESSAGES: dict[str, dict[str, str]] = {
    "display.title": {"id": "Layar Antrean", "en": "Queue Display"},
    "display.counter_title": {"id": "Layar Loket", "en": "Counter Display"},
    "display.ticket": {"id": "Nomor Antrean", "en": "Ticket Number"},
    "display.counter": {"id": "Loket", "en": "Counter"},
    "display.waiting": {"id": "Menunggu", "en": "Waiting"},
    "display.waiting_title": {"id": "Jumlah Antrean Menunggu", "en": "People Waiting"},
    "display.recent": {"id": "Panggilan Terakhir", "en": "Recent Calls"},
    "display.recall": {"id": "Panggilan ulang", "en": "Recall"},
    "display.priority": {"id": "Prioritas", "en": "Priority"},
    "display.please_go": {"id": "Silakan menuju", "en": "Please go to"},
    "display.now_calling": {"id": "Dipanggil", "en": "Now calling"},
    "display.welcome": {"id": "Selamat datang", "en": "Welcome"},
    "display.no_calls": {
        "id": "Silakan ambil nomor antrean di anjungan dan tunggu panggilan.",
        "en": "Please take a ticket at the kiosk and wait to be called.",
    },
    "display.no_recent": {"id": "Belum ada panggilan hari ini.", "en": "No calls yet today."},
    "display.reconnecting": {"id": "Menghubungkan ulang…", "en": "Reconnecting…"},
    "display.enable_sound": {"id": "Aktifkan suara", "en": "Enable sound"},
    "display.sound_on": {"id": "Suara aktif", "en": "Sound on"},
    "display.people": {"id": "orang", "en": "waiting"},
    "display.service_closed": {"id": "Tutup", "en": "Closed"},
    "display.service_paused": {"id": "Dihentikan sementara", "en": "Paused"},
    "display.idle": {"id": "Siap melayani", "en": "Ready to serve"},
    "display.serving": {"id": "Sedang dilayani", "en": "Now serving"},
    "display.called": {"id": "Silakan menuju loket ini", "en": "Please come to this counter"},
    "display.break": {"id": "Istirahat sebentar", "en": "On a short break"},
    "display.closed": {"id": "Loket tutup", "en": "Counter closed"},
    "display.counter_waiting": {"id": "Menunggu di loket ini", "en": "Waiting for this counter"},
    "display.not_found_title": {"id": "Loket tidak ditemukan", "en": "Counter not found"},
    "display.not_found_body": {
        "id": "Loket {counter} tidak ada di konfigurasi aula ini. Loket yang ada:",
        "en": "Counter {counter} is not in this hall's configuration. The counters are:",
    },
    "display.zone_not_found_title": {"id": "Lantai tidak ditemukan", "en": "Floor not found"},
    "display.zone_not_found_body": {
        "id": "Zona {zone} tidak ada di konfigurasi aula ini. Zona yang ada:",
        "en": "Zone {zone} is not in this hall's configuration. The zones are:",
    },
    "display.all_zones": {"id": "Semua lantai", "en": "All floors"},
}
register(MESSAGES)
