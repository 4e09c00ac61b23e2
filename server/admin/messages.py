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

register(
    {
        "adm.title": {"id": "Pengaturan Mal Pelayanan", "en": "Hall administration"},
        "adm.intro": {
            "id": "Perubahan di halaman ini langsung berlaku di kios, layar, dan loket, tanpa "
                  "memulai ulang.",
            "en": "Changes made here apply at once on kiosks, screens and counters, with no "
                  "restart.",
        },
        "adm.nav": {"id": "Bagian pengaturan", "en": "Sections"},
        "adm.services": {"id": "Layanan", "en": "Services"},
        "adm.counters": {"id": "Loket", "en": "Counters"},
        "adm.agencies": {"id": "Instansi", "en": "Agencies"},
        "adm.zones": {"id": "Zona", "en": "Zones"},
        "adm.kiosks": {"id": "Kios", "en": "Kiosks"},
        "adm.calendar": {"id": "Kalender", "en": "Calendar"},
        "adm.users": {"id": "Pengguna", "en": "Users"},
        "adm.tokens": {"id": "Token perangkat", "en": "Device tokens"},
        "adm.prefix": {"id": "Kode (huruf awal nomor)", "en": "Prefix (letter of the number)"},
        "adm.name": {"id": "Nama", "en": "Name"},
        "adm.name_en": {"id": "Nama dalam bahasa Inggris", "en": "Name in English"},
        "adm.agency": {"id": "Instansi", "en": "Agency"},
        "adm.quota": {"id": "Kuota per hari (kosong: tanpa batas)",
                      "en": "Daily quota (empty: no limit)"},
        "adm.hours": {"id": "Jam buka, satu aturan per baris (mis. mon-fri 07:30-15:00)",
                      "en": "Opening hours, one rule a line (e.g. mon-fri 07:30-15:00)"},
        "adm.sla": {"id": "Target waktu tunggu (menit)", "en": "Target wait (minutes)"},
        "adm.last_ticket": {"id": "Nomor terakhir pukul (mis. 14:30)",
                            "en": "Last ticket at (e.g. 14:30)"},
        "adm.save": {"id": "Simpan", "en": "Save"},
        "adm.delete": {"id": "Hapus", "en": "Delete"},
        "adm.add": {"id": "Tambah", "en": "Add"},
        "adm.new_service": {"id": "Layanan baru", "en": "New service"},
        "adm.new_counter": {"id": "Loket baru", "en": "New counter"},
        "adm.new_agency": {"id": "Instansi baru", "en": "New agency"},
        "adm.counter_id": {"id": "Nomor/ID loket", "en": "Counter id"},
        "adm.zone": {"id": "Zona (mis. lantai-1)", "en": "Zone (e.g. lantai-1)"},
        "adm.counter_services": {"id": "Layanan, berurutan (mis. A, B)",
                                 "en": "Services, in order (e.g. A, B)"},
        "adm.spoken_name": {"id": "Nama yang diucapkan (mis. loket pajak tiga)",
                            "en": "Spoken name (e.g. loket pajak tiga)"},
        "adm.agency_id": {"id": "ID untuk alamat (opsional)", "en": "Id for URLs (optional)"},
        "adm.full_name": {"id": "Nama lengkap", "en": "Full name"},
        "adm.zones_note": {"id": "Zona ditentukan pada setiap loket.",
                           "en": "A counter's zone is set with the counter."},
        "adm.kiosks_note": {"id": "Kios dipasangkan dengan `loket kiosk add` dan "
                                  "`loket kiosk pair`.",
                            "en": "Kiosks are paired with `loket kiosk add` and "
                                  "`loket kiosk pair`."},
        "adm.printer": {"id": "Printer", "en": "Printer"},
        "adm.rate_limit": {"id": "Batas pengambilan", "en": "Rate limit"},
        "adm.closures": {"id": "Hari libur dan penutupan", "en": "Holidays and closures"},
        "adm.breaks": {"id": "Istirahat rutin", "en": "Recurring breaks"},
        "adm.date": {"id": "Tanggal", "en": "Date"},
        "adm.until": {"id": "Sampai tanggal (opsional)", "en": "Until (optional)"},
        "adm.reason": {"id": "Alasan yang dilihat warga", "en": "Reason shown to citizens"},
        "adm.scope": {"id": "Layanan (kosong: seluruh mal)",
                      "en": "Services (empty: the whole hall)"},
        "adm.rule": {"id": "Waktu (mis. fri 11:30-13:00)", "en": "When (e.g. fri 11:30-13:00)"},
        "adm.whole_hall": {"id": "seluruh mal", "en": "whole hall"},
        "adm.new_closure": {"id": "Tambah penutupan", "en": "Add a closure"},
        "adm.new_break": {"id": "Tambah istirahat", "en": "Add a break"},
        "adm.username": {"id": "Nama pengguna", "en": "User name"},
        "adm.password": {"id": "Kata sandi", "en": "Password"},
        "adm.new_password": {"id": "Kata sandi baru", "en": "New password"},
        "adm.role": {"id": "Peran", "en": "Role"},
        "adm.role.officer": {"id": "petugas", "en": "officer"},
        "adm.role.supervisor": {"id": "supervisor", "en": "supervisor"},
        "adm.role.admin": {"id": "admin", "en": "admin"},
        "adm.role.device": {"id": "perangkat (keypad)", "en": "device (keypad)"},
        "adm.role.announcer": {"id": "pengumum suara", "en": "announcer"},
        "adm.user_counters": {"id": "Loket yang boleh dipakai (kosong: semua)",
                              "en": "Counters allowed (empty: all)"},
        "adm.new_user": {"id": "Pengguna baru", "en": "New user"},
        "adm.active": {"id": "aktif", "en": "active"},
        "adm.inactive": {"id": "nonaktif", "en": "disabled"},
        "adm.disable": {"id": "Nonaktifkan", "en": "Disable"},
        "adm.enable": {"id": "Aktifkan", "en": "Enable"},
        "adm.reset_password": {"id": "Ganti kata sandi", "en": "Reset password"},
        "adm.new_token": {"id": "Token baru", "en": "New token"},
        "adm.token_name": {"id": "Untuk apa (mis. keypad-lantai-1)",
                           "en": "What for (e.g. bridge-lantai-1)"},
        "adm.token_shown_once": {
            "id": "Salin token ini sekarang: token hanya ditampilkan sekali.",
            "en": "Copy this token now: it is shown only once.",
        },
        "adm.revoke": {"id": "Cabut", "en": "Revoke"},
        "adm.revoked": {"id": "dicabut", "en": "revoked"},
        "adm.saved": {"id": "Tersimpan.", "en": "Saved."},
        "adm.error": {"id": "Belum tersimpan: periksa isian yang ditandai.",
                      "en": "Not saved: check the marked field."},
        "adm.confirm_delete": {"id": "Yakin ingin menghapus?", "en": "Delete for sure?"},
        "adm.none": {"id": "Belum ada.", "en": "None yet."},
        "adm.supervisor_note": {
            "id": "Sebagai supervisor, Anda dapat mengubah kuota, jam buka, dan kalender.",
            "en": "As a supervisor you can change quotas, opening hours and the calendar.",
        },
    }
)
