"""Words of the kiosk, the printed ticket and the status page (Indonesian first, KBBI)."""

from __future__ import annotations

from loket.server.i18n import register

register(
    {
        "kiosk.title": {"id": "Ambil Nomor Antrean", "en": "Take a queue number"},
        "kiosk.welcome": {"id": "Selamat datang", "en": "Welcome"},
        "kiosk.pick_agency": {"id": "Pilih instansi", "en": "Choose an agency"},
        "kiosk.pick_service": {"id": "Pilih layanan", "en": "Choose a service"},
        "kiosk.back": {"id": "Kembali", "en": "Back"},
        "kiosk.start_over": {"id": "Ke awal", "en": "Start over"},
        "kiosk.waiting": {"id": "{n} orang menunggu", "en": "{n} waiting"},
        "kiosk.estimate": {"id": "Perkiraan tunggu", "en": "Estimated wait"},
        "kiosk.open": {"id": "Buka", "en": "Open"},
        "kiosk.reason.closed": {
            "id": "Tutup. Buka kembali {when}.",
            "en": "Closed. Opens again {when}.",
        },
        "kiosk.reason.quota_full": {
            "id": "Kuota hari ini habis. Buka kembali {when}.",
            "en": "Today's quota is full. Opens again {when}.",
        },
        "kiosk.reason.paused": {
            "id": "Pengambilan nomor dihentikan sementara.",
            "en": "Tickets are paused for now.",
        },
        "kiosk.tomorrow": {"id": "besok", "en": "tomorrow"},
        "kiosk.priority": {"id": "Prioritas", "en": "Priority"},
        "kiosk.priority_who": {
            "id": "Lansia, penyandang disabilitas, ibu hamil",
            "en": "Older people, people with disabilities, pregnant women",
        },
        "kiosk.priority_on": {
            "id": "Nomor prioritas dipilih",
            "en": "Priority number chosen",
        },
        "kiosk.take": {"id": "Ambil Nomor Antrean", "en": "Take a number"},
        "kiosk.taking": {"id": "Sedang mengambil nomor…", "en": "Taking a number…"},
        "kiosk.your_number": {"id": "Nomor antrean Anda", "en": "Your queue number"},
        "kiosk.ahead": {"id": "{n} orang di depan Anda", "en": "{n} ahead of you"},
        "kiosk.ahead_none": {"id": "Tidak ada yang di depan Anda", "en": "Nobody is ahead of you"},
        "kiosk.soon": {"id": "Segera dipanggil", "en": "Called soon"},
        "kiosk.minutes": {"id": "menit", "en": "min"},
        "kiosk.scan": {
            "id": "Pindai kode QR untuk memantau antrean di ponsel Anda",
            "en": "Scan the QR code to follow the queue on your phone",
        },
        "kiosk.printing": {"id": "Mencetak tiket…", "en": "Printing the ticket…"},
        "kiosk.printed": {"id": "Silakan ambil tiket Anda.", "en": "Please take your ticket."},
        "kiosk.print_failed": {
            "id": "Printer bermasalah ({status}). Nomor Anda tetap berlaku: pindai kode "
            "QR atau catat nomornya. Petugas sudah diberi tahu.",
            "en": "The printer has a problem ({status}). Your number is still valid: "
            "scan the QR code or note the number. Staff have been told.",
        },
        "kiosk.printer.no_paper": {"id": "kertas habis", "en": "out of paper"},
        "kiosk.printer.paper_low": {"id": "kertas hampir habis", "en": "paper low"},
        "kiosk.printer.offline": {"id": "tidak tersambung", "en": "not connected"},
        "kiosk.printer.error": {"id": "galat", "en": "error"},
        "kiosk.printer_down": {
            "id": "Printer tiket bermasalah ({status}). Nomor tetap bisa diambil dan tampil di "
            "layar dengan kode QR.",
            "en": "The ticket printer has a problem ({status}). You can still take a number; "
            "it is shown on screen with a QR code.",
        },
        "kiosk.browser_print": {"id": "Cetak tiket", "en": "Print the ticket"},
        "kiosk.done": {"id": "Selesai", "en": "Done"},
        "kiosk.rate_limited": {
            "id": "Terlalu banyak nomor diambil dari anjungan ini dalam waktu singkat. "
            "Silakan tunggu sebentar lalu coba lagi.",
            "en": "Too many numbers were taken at this kiosk in a short time. Please "
            "wait a moment and try again.",
        },
        "kiosk.failed": {
            "id": "Nomor belum dapat diambil. Silakan coba lagi atau hubungi petugas.",
            "en": "No number could be issued. Please try again or ask staff.",
        },
        "kiosk.offline": {
            "id": "Sambungan ke server terputus. Silakan hubungi petugas.",
            "en": "The connection to the server is lost. Please ask staff.",
        },
        "kiosk.none": {
            "id": "Tidak ada layanan di anjungan ini.",
            "en": "No services at this kiosk.",
        },
        "kiosk.ticket.footer": {
            "id": "Pindai untuk memantau antrean",
            "en": "Scan to follow the queue",
        },
        "kiosk.ticket.priority": {"id": "PRIORITAS", "en": "PRIORITY"},
        "kiosk.ticket.wait": {"id": "Perkiraan tunggu: {text}", "en": "Estimated wait: {text}"},
        "status.title": {"id": "Status nomor antrean", "en": "Queue number status"},
        "status.waiting": {"id": "Menunggu", "en": "Waiting"},
        "status.called": {"id": "Dipanggil", "en": "Called"},
        "status.serving": {"id": "Sedang dilayani", "en": "Being served"},
        "status.done": {"id": "Selesai dilayani", "en": "Served"},
        "status.no_show": {"id": "Dilewati", "en": "Skipped"},
        "status.go_to": {"id": "Silakan menuju {counter}", "en": "Please go to {counter}"},
        "status.serving_at": {"id": "Dilayani di {counter}", "en": "Served at {counter}"},
        "status.no_show_text": {
            "id": "Nomor Anda sudah dipanggil tetapi tidak hadir. Silakan hubungi "
            "petugas informasi.",
            "en": "Your number was called but you were not there. Please ask at the "
            "information desk.",
        },
        "status.done_text": {"id": "Terima kasih.", "en": "Thank you."},
        "status.survey": {
            "id": "Isi survei kepuasan (1 menit)",
            "en": "Take the satisfaction survey (1 minute)",
        },
        "status.live": {"id": "Diperbarui langsung", "en": "Updated live"},
        "status.offline": {
            "id": "Sambungan terputus, mencoba lagi…",
            "en": "Connection lost, retrying…",
        },
        "status.sound": {"id": "Nyalakan suara panggilan", "en": "Turn on the call sound"},
        "status.sound_on": {"id": "Suara panggilan aktif", "en": "Call sound on"},
        "status.keep_open": {
            "id": "Biarkan halaman ini terbuka: ponsel akan berbunyi dan bergetar saat "
            "nomor Anda dipanggil.",
            "en": "Keep this page open: your phone will sound and vibrate when your "
            "number is called.",
        },
        "status.issued": {"id": "Diambil {time}", "en": "Taken {time}"},
        "status.old": {
            "id": "Nomor ini dari hari lain dan tidak berlaku lagi.",
            "en": "This number is from another day and no longer valid.",
        },
    }
)

register(
    {
        # refusals of POST /api/tickets and of the kiosk's printer
        "error.priority_forbidden": {
            "id": "Nomor prioritas hanya dapat diambil di anjungan resmi atau melalui petugas. "
            "Silakan hubungi petugas.",
            "en": "Priority numbers are issued only at the hall's kiosks or by staff. "
            "Please ask staff.",
        },
        "error.kiosk_mismatch": {
            "id": "Anjungan ini tidak boleh mengambil nomor atas nama anjungan {kiosk}.",
            "en": "This kiosk may not take numbers in the name of kiosk {kiosk}.",
        },
        "error.kiosk_not_paired": {
            "id": "Anjungan ini belum dipasangkan, jadi tidak dapat mencetak. Petugas: "
            "jalankan `loket kiosk pair {kiosk}` dan buka /kiosk/pair di anjungan.",
            "en": "This kiosk is not paired, so it cannot print. Staff: run "
            "`loket kiosk pair {kiosk}` and open /kiosk/pair on the kiosk.",
        },
        # pairing page
        "kiosk.pair.title": {"id": "Pasangkan anjungan", "en": "Pair this kiosk"},
        "kiosk.pair.intro": {
            "id": "Masukkan kode pemasangan dari `loket kiosk pair ID` (berlaku sekali).",
            "en": "Enter the pairing code from `loket kiosk pair ID` (it works once).",
        },
        "kiosk.pair.code": {"id": "Kode pemasangan", "en": "Pairing code"},
        "kiosk.pair.submit": {"id": "Pasangkan", "en": "Pair"},
        "kiosk.pair.bad_code": {
            "id": "Kode tidak dikenal, sudah dipakai, atau kedaluwarsa. Buat kode baru.",
            "en": "The code is unknown, used or expired. Make a new one.",
        },
        "kiosk.pair.admin": {
            "id": "Anda masuk sebagai admin: pasangkan peramban ini sebagai anjungan",
            "en": "You are signed in as an admin: pair this browser as the kiosk",
        },
        "kiosk.pair.admin_note": {
            "id": "Setelah dipasangkan, Anda otomatis keluar dari akun admin di peramban ini.",
            "en": "After pairing you are signed out of the admin account in this browser.",
        },
        "kiosk.pair.kiosk": {"id": "Anjungan", "en": "Kiosk"},
        "kiosk.pair.current": {
            "id": "Peramban ini sekarang anjungan {kiosk}.",
            "en": "This browser is now kiosk {kiosk}.",
        },
        # supervisor dashboard alerts (kiosk and printer health)
        "kiosk.alert.printer": {
            "id": "Printer anjungan {kiosk}: {status} (pukul {since})",
            "en": "Kiosk {kiosk} printer: {status} (at {since})",
        },
        "kiosk.alert.limited": {
            "id": "Anjungan {kiosk} menolak nomor karena batas pengambilan ({count}x, terakhir "
            "{since}): periksa apakah layar macet atau disalahgunakan",
            "en": "Kiosk {kiosk} hit its ticket limit ({count}x, last at {since}): check it "
            "is not stuck or abused",
        },
        "kiosk.alert.unpaired": {
            "id": "Anjungan {kiosk} belum dipasangkan dan menolak warga (batas ketat, "
            "{since}): jalankan `loket kiosk pair {kiosk}`",
            "en": "Kiosk {kiosk} is not paired and refused citizens (strict limit, {since}): "
            "run `loket kiosk pair {kiosk}`",
        },
        "kiosk.alert.offline": {
            "id": "Anjungan {kiosk} tidak terhubung sejak {since} ({minutes} menit)",
            "en": "Kiosk {kiosk} not heard from since {since} ({minutes} min)",
        },
        "kiosk.alert.never": {
            "id": "Anjungan {kiosk} belum pernah terhubung sejak dipasangkan",
            "en": "Kiosk {kiosk} has not connected since it was paired",
        },
        "kiosk.agency_unavailable": {
            "id": "Tidak ada layanan yang dapat diambil saat ini.",
            "en": "No service can be taken now.",
        },
    }
)
