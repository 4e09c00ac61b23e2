"""Words of the kiosk, the printed ticket and the status page (Indonesian first, KBBI)."""

from __future__ import annotations

from server.i18n import register

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
