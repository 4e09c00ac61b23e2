"""Words of the booking pages a person sees: the citizen's ``/booking`` and ``/b/<token>``,
the kiosk's check-in screen, the officer's check-in box, the supervisor's and admin's booking
sections (Indonesian first, KBBI)."""

from __future__ import annotations

from loket.server.i18n import register

register(
    {
        # ---------------------------------------------------------------- /booking
        "bpage.title": {"id": "Reservasi Antrean", "en": "Book a queue time"},
        "bpage.intro": {
            "id": "Pesan waktu layanan dari rumah, lalu lapor hadir di anjungan saat tiba.",
            "en": "Book a service time from home, then check in at the kiosk when you arrive.",
        },
        "bpage.needs_script": {
            "id": "Halaman reservasi memerlukan JavaScript. Aktifkan JavaScript di peramban "
            "Anda, atau ambil nomor antrean di anjungan saat tiba.",
            "en": "The booking page needs JavaScript. Turn it on in your browser, or take a "
            "queue number at the kiosk when you arrive.",
        },
        "bpage.pick_agency": {"id": "Pilih instansi", "en": "Choose an agency"},
        "bpage.pick_service": {"id": "Pilih layanan", "en": "Choose a service"},
        "bpage.pick_date": {"id": "Pilih tanggal", "en": "Choose a date"},
        "bpage.pick_slot": {"id": "Pilih jam", "en": "Choose a time"},
        "bpage.details": {"id": "Data pemesan", "en": "Your details"},
        "bpage.back": {"id": "Kembali", "en": "Back"},
        "bpage.none": {
            "id": "Belum ada layanan yang bisa direservasi.",
            "en": "No service can be booked yet.",
        },
        "bpage.no_slots": {
            "id": "Tidak ada jam yang tersedia pada tanggal ini. Silakan pilih tanggal lain.",
            "en": "No time is available on this date. Please choose another date.",
        },
        "bpage.loading": {"id": "Memuat…", "en": "Loading…"},
        "bpage.left": {"id": "sisa {n}", "en": "{n} left"},
        "bpage.full": {"id": "penuh", "en": "full"},
        "bpage.today": {"id": "hari ini", "en": "today"},
        "bpage.tomorrow": {"id": "besok", "en": "tomorrow"},
        "bpage.chosen": {
            "id": "{service}, {date} pukul {start}",
            "en": "{service}, {date} at {start}",
        },
        "bpage.phone": {"id": "Nomor HP (tidak wajib)", "en": "Mobile number (optional)"},
        "bpage.phone_hint": {
            "id": "Hanya untuk pemberitahuan tentang reservasi ini.",
            "en": "Only for notices about this booking.",
        },
        "bpage.nik": {"id": "NIK (16 angka)", "en": "NIK (national ID number, 16 digits)"},
        "bpage.nik_hint": {
            "id": "Layanan ini mewajibkan NIK. Kami hanya menyimpan sidik kuncinya dan 4 angka "
            "terakhir.",
            "en": "This service requires your NIK. We keep only a keyed fingerprint of it and "
            "its last 4 digits.",
        },
        "bpage.nik_invalid": {"id": "NIK harus 16 angka.", "en": "The NIK must be 16 digits."},
        "bpage.address": {"id": "Alamat yang dikunjungi petugas", "en": "Address for the visit"},
        "bpage.contact": {"id": "Nama dan nomor yang bisa dihubungi",
                          "en": "Contact name and number"},
        "bpage.outreach_hint": {
            "id": "Layanan jemput bola: petugas datang ke alamat Anda.",
            "en": "Outreach service: officers come to your address.",
        },
        "bpage.required": {"id": "Wajib diisi.", "en": "Required."},
        "bpage.submit": {"id": "Pesan sekarang", "en": "Book now"},
        "bpage.sending": {"id": "Sedang memesan…", "en": "Booking…"},
        "bpage.failed": {
            "id": "Reservasi gagal. Silakan coba lagi.",
            "en": "The booking failed. Please try again.",
        },
        "bpage.rate_limited": {
            "id": "Terlalu banyak percobaan. Silakan tunggu sebentar.",
            "en": "Too many attempts. Please wait a moment.",
        },
        "bpage.done_title": {"id": "Reservasi berhasil", "en": "You are booked"},
        "bpage.your_code": {"id": "Kode reservasi Anda", "en": "Your booking code"},
        "bpage.code_help": {
            "id": "Tunjukkan kode QR ini atau ketik kodenya di anjungan saat tiba "
            "(paling cepat {before} menit sebelum jam Anda, paling lambat {after} menit "
            "sesudahnya).",
            "en": "Show this QR code or type the code at the kiosk when you arrive "
            "(at most {before} minutes before your time, at the latest {after} minutes after).",
        },
        "bpage.qr_alt": {"id": "Kode QR reservasi {code}", "en": "QR code of booking {code}"},
        "bpage.open_booking": {
            "id": "Lihat atau batalkan reservasi",
            "en": "View or cancel the booking",
        },
        "bpage.keep_link": {
            "id": "Simpan tautan ini: hanya dengan tautan ini reservasi bisa dilihat atau "
            "dibatalkan.",
            "en": "Keep this link: only with it can the booking be seen or cancelled.",
        },
        "bpage.privacy_title": {"id": "Data pribadi Anda", "en": "Your personal data"},
        "bpage.privacy": {
            "id": "Kami menyimpan layanan, tanggal dan jam yang Anda pilih. Nomor HP (jika "
            "diisi) hanya dipakai untuk pemberitahuan. NIK tidak disimpan utuh: hanya sidik "
            "kuncinya (hash berkunci) dan 4 angka terakhir. Nomor HP, data NIK serta alamat "
            "dan kontak jemput bola dihapus {days} hari setelah tanggal reservasi "
            "(UU 27/2022 tentang Pelindungan Data Pribadi).",
            "en": "We store the service, date and time you choose. Your mobile number (if "
            "given) is used only for notices. Your NIK is not stored in full: only a keyed "
            "fingerprint (keyed hash) and its last 4 digits. The mobile number, NIK data and "
            "any outreach address and contact are deleted {days} days after the booking date "
            "(Indonesia's personal data protection law, UU 27/2022).",
        },
        # ---------------------------------------------------------------- /b/<token>
        "bpage.view_title": {"id": "Reservasi Anda", "en": "Your booking"},
        "bpage.status.booked": {"id": "Terpesan", "en": "Booked"},
        "bpage.status.checked_in": {"id": "Sudah lapor hadir", "en": "Checked in"},
        "bpage.status.cancelled": {"id": "Dibatalkan", "en": "Cancelled"},
        "bpage.status.expired": {"id": "Kedaluwarsa (tidak hadir)", "en": "Expired (no show)"},
        "bpage.service": {"id": "Layanan", "en": "Service"},
        "bpage.date": {"id": "Tanggal", "en": "Date"},
        "bpage.time": {"id": "Jam", "en": "Time"},
        "bpage.status": {"id": "Status", "en": "Status"},
        "bpage.ticket": {"id": "Nomor antrean", "en": "Queue number"},
        "bpage.follow_ticket": {"id": "Pantau antrean Anda", "en": "Follow your queue number"},
        "bpage.calendar": {"id": "Tambahkan ke kalender", "en": "Add to calendar"},
        "bpage.cancel": {"id": "Batalkan reservasi", "en": "Cancel the booking"},
        "bpage.cancel_confirm": {
            "id": "Yakin ingin membatalkan? Jam ini akan diberikan kepada orang lain.",
            "en": "Cancel for sure? This time will be given to someone else.",
        },
        "bpage.new_booking": {"id": "Buat reservasi baru", "en": "Make a new booking"},
        "bpage.ics_summary": {
            "id": "Reservasi {service} ({code})",
            "en": "Booking {service} ({code})",
        },
        "bpage.ics_description": {
            "id": "Kode reservasi: {code}. Lapor hadir di anjungan {hall} dengan kode QR atau "
            "kode ini. Reservasi: {url}",
            "en": "Booking code: {code}. Check in at the kiosk of {hall} with the QR code or "
            "this code. Booking: {url}",
        },
        # ---------------------------------------------------------------- kiosk check-in
        "kiosk.booked_btn": {"id": "Saya sudah reservasi", "en": "I have a booking"},
        "kiosk.booked_title": {"id": "Lapor hadir reservasi", "en": "Check in a booking"},
        "kiosk.booked_scan": {
            "id": "Pindai kode QR reservasi Anda di pemindai, atau ketik kode reservasi.",
            "en": "Scan your booking's QR code at the scanner, or type the booking code.",
        },
        "kiosk.booked_code": {"id": "Kode reservasi", "en": "Booking code"},
        "kiosk.booked_send": {"id": "Lapor hadir", "en": "Check in"},
        "kiosk.booked_clear": {"id": "Hapus", "en": "Delete"},
        "kiosk.booked_backspace": {"id": "Hapus satu huruf", "en": "Delete one character"},
        "kiosk.booked_checking": {"id": "Memeriksa reservasi…", "en": "Checking the booking…"},
        "kiosk.booked_ok": {"id": "Reservasi", "en": "Booked"},
        "kiosk.booked.too_early": {
            "id": "Terlalu awal untuk lapor hadir. Silakan kembali mendekati jam reservasi "
            "Anda.",
            "en": "Too early to check in. Please come back closer to your booked time.",
        },
        "kiosk.booked.too_late": {
            "id": "Waktu lapor hadir reservasi Anda sudah lewat. Anda tetap bisa mengambil "
            "nomor antrean biasa.",
            "en": "The check-in time of your booking has passed. You can still take an "
            "ordinary queue number.",
        },
        "kiosk.booked.already_checked_in": {
            "id": "Reservasi ini sudah lapor hadir.",
            "en": "This booking is already checked in.",
        },
        "kiosk.booked.cancelled": {
            "id": "Reservasi ini sudah dibatalkan.",
            "en": "This booking was cancelled.",
        },
        "kiosk.booked.not_found": {
            "id": "Kode reservasi tidak ditemukan. Periksa kembali kodenya.",
            "en": "Booking code not found. Please check the code.",
        },
        "kiosk.booked.failed": {
            "id": "Lapor hadir gagal. Silakan minta bantuan petugas.",
            "en": "Check-in failed. Please ask a staff member.",
        },
        "kiosk.booked_walk_in": {
            "id": "Ambil nomor antrean biasa",
            "en": "Take an ordinary number",
        },
    }
)

register(
    {
        # ---------------------------------------------------------------- officer's panel
        "counter.booked": {"id": "Reservasi", "en": "Booked"},
        "counter.checkin_label": {"id": "Check-in reservasi", "en": "Check in a booking"},
        "counter.checkin_hint": {
            "id": "Ketik kode reservasi warga (mis. K7M-Q4P) atau pindai kode QR-nya.",
            "en": "Type the citizen's booking code (e.g. K7M-Q4P) or scan its QR code.",
        },
        "counter.checkin_send": {"id": "Check-in", "en": "Check in"},
        "counter.checkin_busy": {"id": "Memeriksa…", "en": "Checking…"},
        "counter.checkin_done": {
            "id": "Check-in berhasil: nomor antrean {ticket} (reservasi).",
            "en": "Checked in: queue number {ticket} (booked).",
        },
        "counter.checkin_failed": {
            "id": "Check-in gagal. Coba lagi.",
            "en": "Check-in failed. Try again.",
        },
    }
)

register(
    {
        # ---------------------------------------------------------------- supervisor
        "bsup.title": {"id": "Reservasi hari ini", "en": "Today's bookings"},
        "bsup.link": {"id": "Reservasi", "en": "Bookings"},
        "bsup.date": {"id": "Tanggal", "en": "Date"},
        "bsup.show": {"id": "Tampilkan", "en": "Show"},
        "bsup.per_service": {"id": "Per layanan", "en": "Per service"},
        "bsup.col_service": {"id": "Layanan", "en": "Service"},
        "bsup.col_total": {"id": "Jumlah", "en": "Total"},
        "bsup.col_booked": {"id": "Belum datang", "en": "Not yet come"},
        "bsup.col_checked_in": {"id": "Sudah check-in", "en": "Checked in"},
        "bsup.col_cancelled": {"id": "Dibatalkan", "en": "Cancelled"},
        "bsup.col_no_show": {"id": "Tidak hadir", "en": "No-show"},
        "bsup.list": {"id": "Daftar reservasi", "en": "Bookings"},
        "bsup.col_time": {"id": "Jam", "en": "Time"},
        "bsup.col_code": {"id": "Kode", "en": "Code"},
        "bsup.col_status": {"id": "Status", "en": "Status"},
        "bsup.col_ticket": {"id": "Nomor antrean", "en": "Ticket"},
        "bsup.none": {
            "id": "Tidak ada reservasi pada tanggal ini.",
            "en": "No bookings on this date.",
        },
        "bsup.outreach": {"id": "Jemput bola", "en": "Outreach (jemput bola)"},
        "bsup.outreach_hint": {
            "id": "Alamat dan kontak hanya untuk tim yang berangkat; dihapus {days} hari setelah "
            "tanggal kunjungan.",
            "en": "Addresses and contacts are for the team going out only; deleted {days} days "
            "after the visit's date.",
        },
        "bsup.col_date": {"id": "Tanggal", "en": "Date"},
        "bsup.col_address": {"id": "Alamat", "en": "Address"},
        "bsup.col_contact": {"id": "Kontak", "en": "Contact"},
        "bsup.col_team": {"id": "Tim", "en": "Team"},
        "bsup.team_label": {"id": "Tim untuk {code}", "en": "Team for {code}"},
        "bsup.save": {"id": "Simpan", "en": "Save"},
        "bsup.saved": {"id": "Tim {code} disimpan.", "en": "Team of {code} saved."},
        "bsup.outreach_none": {
            "id": "Tidak ada jemput bola dalam 7 hari ke depan.",
            "en": "No outreach visits in the next days.",
        },
        "bsup.status.booked": {"id": "Terpesan", "en": "Booked"},
        "bsup.status.checked_in": {"id": "Sudah check-in", "en": "Checked in"},
        "bsup.status.cancelled": {"id": "Dibatalkan", "en": "Cancelled"},
        "bsup.status.expired": {"id": "Tidak hadir", "en": "No-show"},
    }
)

register(
    {
        # ---------------------------------------------------------------- admin
        "badm.title": {"id": "Reservasi", "en": "Booking"},
        "badm.intro": {
            "id": "Sesi yang bisa dipesan warga secara daring, per layanan. Kalender (libur dan "
            "istirahat) tetap berlaku.",
            "en": "Sessions citizens can book online, per service. The calendar (closures and "
            "breaks) still applies.",
        },
        "badm.service": {"id": "Layanan", "en": "Service"},
        "badm.days": {"id": "Hari", "en": "Days"},
        "badm.days_hint": {
            "id": "Hari: mon-fri, sat, mon,wed,fri, daily. Jam dalam zona waktu aula.",
            "en": "Days: mon-fri, sat, mon,wed,fri, daily. Times in the hall's time zone.",
        },
        "badm.start": {"id": "Mulai", "en": "Start"},
        "badm.end": {"id": "Selesai", "en": "End"},
        "badm.slot_minutes": {"id": "Menit per slot", "en": "Minutes per slot"},
        "badm.capacity": {"id": "Kapasitas per slot", "en": "Capacity per slot"},
        "badm.requires_nik": {"id": "Wajib NIK", "en": "NIK required"},
        "badm.outreach": {"id": "Jemput bola", "en": "Outreach"},
        "badm.remove": {"id": "Hapus", "en": "Remove"},
        "badm.new": {"id": "(sesi baru)", "en": "(new session)"},
        "badm.save": {"id": "Simpan sesi reservasi", "en": "Save booking sessions"},
    }
)
