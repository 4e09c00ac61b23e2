"""Metadata of the open data in the manner of Satu Data Indonesia (Perpres 39/2019): title,
producer, period, unit, licence, update frequency and each field, Indonesian first."""

from __future__ import annotations

from typing import Any

from loket.server.integrations.open_data import MIN_COUNT, MIN_COUNT_P90, Range

_FIELDS: tuple[tuple[str, str, str, str, str], ...] = (
    ("date", "date", "-", "Tanggal (hari layanan, waktu setempat)",
     "Date (business day, local time)"),
    ("service", "string", "-", "Kode layanan (huruf awalan nomor antrean)",
     "Service code (the ticket number's prefix letter)"),
    ("service_name", "string", "-", "Nama layanan", "Service name"),
    ("agency", "string", "-", "Kode instansi", "Agency code"),
    ("agency_name", "string", "-", "Nama instansi", "Agency name"),
    ("issued", "integer", "tiket / tickets", "Jumlah nomor antrean yang diambil",
     "Tickets issued"),
    ("served", "integer", "tiket / tickets", "Jumlah yang selesai dilayani", "Tickets served"),
    ("no_show", "integer", "tiket / tickets", "Jumlah yang tidak hadir saat dipanggil",
     "Tickets called but absent"),
    ("wait_median_s", "number", "detik / seconds", "Median waktu tunggu (ambil nomor sampai "
     "dipanggil)", "Median waiting time (issued to called)"),
    ("wait_p90_s", "number", "detik / seconds", "Persentil ke-90 waktu tunggu",
     "90th percentile of the waiting time"),
    ("service_median_s", "number", "detik / seconds", "Median lama pelayanan",
     "Median service time"),
    ("service_p90_s", "number", "detik / seconds", "Persentil ke-90 lama pelayanan",
     "90th percentile of the service time"),
    ("busiest_hour", "string", "jam / hour", "Jam tersibuk (nomor antrean terbanyak)",
     "Busiest hour (most tickets issued)"),
)


def metadata(*, producer: str, licence: str, period: Range | None, lang: str,
             scope: str, base: str = "/api/open-data") -> dict[str, Any]:
    """The dataset's description; ``scope`` names the hall or the city."""
    en = lang == "en"
    suppression_id = (
        f"Angka di bawah {MIN_COUNT} ditampilkan kosong (null), termasuk 0; median perlu "
        f"sedikitnya {MIN_COUNT} data dan persentil ke-90 {MIN_COUNT_P90}; bila hanya satu "
        "dari 'served' dan 'no_show' yang dikosongkan, 'issued' juga dikosongkan; IKM hanya "
        f"per bulan yang sudah selesai dengan sedikitnya {MIN_COUNT} responden.")
    suppression_en = (
        f"Counts under {MIN_COUNT} are published as null (0 too); a median needs at least "
        f"{MIN_COUNT} values and a 90th percentile {MIN_COUNT_P90}; when only one of 'served' "
        "and 'no_show' is suppressed, 'issued' is suppressed too; IKM only per complete month "
        f"with at least {MIN_COUNT} respondents.")
    return {
        "title": (f"Statistik antrean harian per layanan — {scope}" if not en
                  else f"Daily queue statistics per service — {scope}"),
        "title_id": f"Statistik antrean harian per layanan — {scope}",
        "title_en": f"Daily queue statistics per service — {scope}",
        "description": (
            "Jumlah antrean, layanan selesai, tidak hadir, waktu tunggu dan lama pelayanan "
            "per hari dan per layanan, serta Indeks Kepuasan Masyarakat (IKM) per bulan. "
            "Tanpa data pribadi." if not en else
            "Tickets, services completed, no-shows, waiting and service times per day and "
            "service, and the public satisfaction index (IKM) per month. No personal data."),
        "producer": producer,
        "period": ({"from": period.first.isoformat(), "to": period.last.isoformat()}
                   if period else None),
        "unit": "tiket, detik, indeks 25–100" if not en else "tickets, seconds, index 25–100",
        "licence": licence,
        "update_frequency": "harian (setelah hari layanan selesai)" if not en
        else "daily (after the business day ends)",
        "classification": "terbuka" if not en else "open",
        "personal_data": False,
        "suppression": suppression_en if en else suppression_id,
        "fields": [{"name": name, "type": kind, "unit": unit,
                    "description": text_en if en else text_id}
                   for name, kind, unit, text_id, text_en in _FIELDS],
        "distributions": [
            {"format": "JSON", "url": f"{base}/daily"},
            {"format": "CSV", "url": f"{base}/daily?format=csv"},
            {"format": "JSON", "url": f"{base}/ikm", "title": "IKM"},
        ],
    }
