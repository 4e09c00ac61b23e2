"""Words of the integrations: webhook errors and alerts, and the open-data page; Indonesian
first."""

from __future__ import annotations

from loket.server.i18n import register

register({
    "error.webhook_exists": {"id": "Langganan webhook {name} sudah ada.",
                             "en": "Webhook subscription {name} exists already."},
    "error.webhook_from_config": {
        "id": "Webhook {name} diatur di loket.toml; hapus di sana lalu mulai ulang.",
        "en": "Webhook {name} is set in loket.toml; remove it there and restart."},
    "integrations.alert_failing": {
        "id": "Webhook {name} gagal {n} kali berturut-turut: {error}",
        "en": "Webhook {name} failed {n} times in a row: {error}"},
    "integrations.alert_stuck": {
        "id": "Kejadian untuk webhook {name} menunggu {minutes} menit. Apakah "
              "`loket notify worker` berjalan?",
        "en": "Events for webhook {name} have waited {minutes} minutes. Is "
              "`loket notify worker` running?"},
    "integrations.health_title": {"id": "Pengiriman webhook ke sistem instansi",
                                  "en": "Webhook deliveries to agencies' systems"},
    "integrations.col_name": {"id": "Penerima", "en": "Receiver"},
    "integrations.col_sent": {"id": "Terkirim", "en": "Sent"},
    "integrations.col_queued": {"id": "Menunggu", "en": "Waiting"},
    "integrations.col_dead": {"id": "Gagal permanen", "en": "Dead-lettered"},
    "integrations.col_last_error": {"id": "Galat terakhir", "en": "Last error"},
    "integrations.failing": {"id": "gagal terus", "en": "failing"},
    "opendata.title": {"id": "Data terbuka antrean", "en": "Open queue data"},
    "opendata.intro": {
        "id": "Statistik harian per layanan, tanpa data pribadi. Angka di bawah 5 tidak "
              "ditampilkan agar tidak ada orang yang dapat dikenali.",
        "en": "Daily figures per service, without personal data. Figures under 5 are not "
              "shown so that nobody can be identified."},
    "opendata.from": {"id": "Dari tanggal", "en": "From"},
    "opendata.to": {"id": "Sampai tanggal", "en": "To"},
    "opendata.show": {"id": "Tampilkan", "en": "Show"},
    "opendata.download": {"id": "Unduh", "en": "Download"},
    "opendata.metadata": {"id": "Metadata", "en": "Metadata"},
    "opendata.producer": {"id": "Produsen data", "en": "Producer"},
    "opendata.period": {"id": "Periode", "en": "Period"},
    "opendata.unit": {"id": "Satuan", "en": "Unit"},
    "opendata.unit_text": {"id": "tiket; waktu dalam menit pada grafik dan tabel (detik pada "
                                 "unduhan)",
                           "en": "tickets; times in minutes in the charts and tables (seconds "
                                 "in the downloads)"},
    "opendata.licence": {"id": "Lisensi", "en": "Licence"},
    "opendata.frequency": {"id": "Frekuensi pembaruan", "en": "Update frequency"},
    "opendata.frequency_text": {"id": "Harian, setelah hari layanan selesai",
                                "en": "Daily, after the business day ends"},
    "opendata.chart_served": {"id": "Layanan selesai per hari", "en": "Services completed "
                                                                      "per day"},
    "opendata.chart_wait": {"id": "Median waktu tunggu per hari (menit)",
                            "en": "Median waiting time per day (minutes)"},
    "opendata.chart_note": {"id": "Angka yang sama ada di tabel di bawah.",
                            "en": "The same figures are in the table below."},
    "opendata.table": {"id": "Tabel statistik harian", "en": "Daily figures table"},
    "opendata.ikm_table": {"id": "Indeks Kepuasan Masyarakat (IKM) per bulan",
                           "en": "Public satisfaction index (IKM) per month"},
    "opendata.date": {"id": "Tanggal", "en": "Date"},
    "opendata.month": {"id": "Bulan", "en": "Month"},
    "opendata.hall": {"id": "Gerai", "en": "Hall"},
    "opendata.service": {"id": "Layanan", "en": "Service"},
    "opendata.agency": {"id": "Instansi", "en": "Agency"},
    "opendata.issued": {"id": "Diambil", "en": "Issued"},
    "opendata.served": {"id": "Selesai", "en": "Served"},
    "opendata.no_show": {"id": "Tidak hadir", "en": "No-show"},
    "opendata.wait_median": {"id": "Median tunggu (mnt)", "en": "Median wait (min)"},
    "opendata.wait_p90": {"id": "P90 tunggu (mnt)", "en": "P90 wait (min)"},
    "opendata.service_median": {"id": "Median layanan (mnt)", "en": "Median service (min)"},
    "opendata.busiest": {"id": "Jam tersibuk", "en": "Busiest hour"},
    "opendata.respondents": {"id": "Responden", "en": "Respondents"},
    "opendata.ikm": {"id": "IKM", "en": "IKM"},
    "opendata.grade": {"id": "Mutu", "en": "Grade"},
    "opendata.suppressed": {"id": "tidak ditampilkan (kurang dari 5)",
                            "en": "not shown (fewer than 5)"},
    "opendata.none": {"id": "Belum ada data untuk periode ini.",
                      "en": "No figures for this period yet."},
    "opendata.loading": {"id": "Memuat…", "en": "Loading…"},
    "opendata.failed": {"id": "Data tidak dapat dimuat: {error}",
                        "en": "The figures could not be loaded: {error}"},
})
