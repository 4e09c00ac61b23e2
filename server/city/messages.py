"""Texts of the city-wide view, Indonesian first."""

from loket.server.i18n import register

register(
    {
        "city.title": {"id": "Pantauan antrean se-kota", "en": "City-wide queue view"},
        "city.halls": {"id": "Mal Pelayanan Publik", "en": "Public service halls"},
        "city.no_halls": {
            "id": "Belum ada MPP yang mengirim data. Jalankan `loket city forward` di tiap MPP.",
            "en": "No hall has reported yet. Run `loket city forward` in each hall.",
        },
        "city.online": {"id": "Terhubung", "en": "Online"},
        "city.offline": {
            "id": "Terputus sejak {since} — angka per laporan terakhir",
            "en": "Offline since {since} — figures as of its last report",
        },
        "city.catching_up": {
            "id": "Mengejar {n} perubahan yang tertunda",
            "en": "Catching up {n} delayed changes",
        },
        "city.reported": {"id": "Laporan terakhir {ago}", "en": "Last report {ago}"},
        "city.seconds_ago": {"id": "{n} detik lalu", "en": "{n} s ago"},
        "city.minutes_ago": {"id": "{n} menit lalu", "en": "{n} min ago"},
        "city.counters": {
            "id": "Loket buka {open} dari {all}, melayani {serving}",
            "en": "Counters open {open} of {all}, serving {serving}",
        },
        "city.agency": {"id": "Instansi", "en": "Agency"},
        "city.waiting": {"id": "Menunggu", "en": "Waiting"},
        "city.serving": {"id": "Dilayani", "en": "Being served"},
        "city.served": {"id": "Selesai hari ini", "en": "Served today"},
        "city.avg_wait": {"id": "Rata-rata tunggu (menit)", "en": "Average wait (min)"},
        "city.longest_wait": {"id": "Tunggu terlama (menit)", "en": "Longest wait (min)"},
        "city.halls_count": {"id": "Jumlah MPP", "en": "Halls"},
        "city.ikm": {"id": "IKM {start} s.d. {end}", "en": "IKM {start} to {end}"},
        "city.ikm_none": {"id": "belum ada responden", "en": "no respondents yet"},
        "city.respondents": {"id": "{n} responden", "en": "{n} respondents"},
        "city.by_agency": {"id": "Per instansi, seluruh kota", "en": "Per agency, whole city"},
        "city.totals": {
            "id": "{halls} MPP ({offline} terputus) · {waiting} menunggu · {served} selesai",
            "en": "{halls} halls ({offline} offline) · {waiting} waiting · {served} served",
        },
        "city.period": {"id": "Periode IKM", "en": "IKM period"},
        "city.from": {"id": "Dari", "en": "From"},
        "city.to": {"id": "Sampai", "en": "To"},
        "city.show": {"id": "Tampilkan", "en": "Show"},
        "city.updated": {"id": "Diperbarui {time}", "en": "Updated {time}"},
        "city.refresh_failed": {
            "id": "Pembaruan gagal; mencoba lagi.",
            "en": "Refresh failed; trying again.",
        },
    }
)
