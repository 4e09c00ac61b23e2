"""Words of help on request, the kiosk's accessible mode and its spoken prompts, and the
accessibility additions to the citizen pages (Indonesian first, KBBI)."""

from __future__ import annotations

from loket.server.i18n import register

register(
    {
        # Staff side: alerts on the dashboard and the officer panel.
        "assist.alert": {"id": "Warga butuh bantuan: {where}",
                         "en": "A citizen needs help: {where}"},
        "assist.alert_ticket": {"id": "Warga butuh bantuan ({ticket}): {where}",
                                "en": "A citizen needs help ({ticket}): {where}"},
        "assist.at_kiosk": {"id": "anjungan {kiosk}", "en": "kiosk {kiosk}"},
        "assist.somewhere": {"id": "lokasi tidak disebut", "en": "place not given"},
        "assist.title": {"id": "Permintaan bantuan", "en": "Help requests"},
        "assist.take": {"id": "Saya tangani", "en": "I'll go"},
        "assist.taken": {"id": "Sudah ditangani", "en": "Taken"},
        "assist.waited": {"id": "{min} menit lalu", "en": "{min} min ago"},
        "assist.just_now": {"id": "baru saja", "en": "just now"},
        "assist.fetch": {
            "id": "Nomor {ticket} butuh bantuan: jemput warga di {where}.",
            "en": "Number {ticket} needs help: fetch the citizen at {where}.",
        },
        "assist.fetch_here": {"id": "tempat menunggu", "en": "the waiting area"},
        "error.assistance_taken": {
            "id": "Permintaan bantuan ini sudah ditangani ({by}).",
            "en": "This help request was already taken ({by}).",
        },
        # The kiosk and the status page.
        "kiosk.help": {"id": "Butuh Bantuan", "en": "Need help (Bantuan)"},
        "kiosk.help_title": {"id": "Minta bantuan petugas", "en": "Ask staff for help"},
        "kiosk.help_where": {"id": "Di mana Anda menunggu?", "en": "Where are you waiting?"},
        "kiosk.place.kiosk": {"id": "Di anjungan ini", "en": "At this kiosk"},
        "kiosk.place.waiting": {"id": "Di ruang tunggu", "en": "In the waiting area"},
        "kiosk.place.entrance": {"id": "Di pintu masuk", "en": "At the entrance"},
        "kiosk.help_sent": {
            "id": "Permintaan terkirim. Petugas segera datang. Silakan tunggu di tempat.",
            "en": "Request sent. Staff are on their way. Please wait where you are.",
        },
        "kiosk.help_failed": {
            "id": "Permintaan belum terkirim. Silakan coba lagi atau dekati petugas.",
            "en": "The request was not sent. Please try again or go to a member of staff.",
        },
        "kiosk.help_limited": {
            "id": "Permintaan bantuan sudah dikirim. Silakan tunggu petugas.",
            "en": "Help has already been requested. Please wait for staff.",
        },
        "kiosk.help_on_call": {
            "id": "Saya perlu dijemput saat nomor saya dipanggil",
            "en": "Fetch me when my number is called",
        },
        "kiosk.help_on_call_done": {
            "id": "Dicatat: petugas akan menjemput Anda saat nomor Anda dipanggil.",
            "en": "Noted: staff will fetch you when your number is called.",
        },
        "kiosk.easy": {"id": "Mode mudah", "en": "Easy mode (Mode mudah)"},
        "kiosk.easy_hint": {"id": "Huruf besar, suara, tombol di bawah",
                            "en": "Large text, voice, buttons low"},
        "kiosk.cancel": {"id": "Batal", "en": "Cancel"},
        "kiosk.repeat": {"id": "Ulangi suara", "en": "Say it again"},
        "kiosk.idle_title": {"id": "Masih di sini?", "en": "Still there?"},
        "kiosk.idle_text": {
            "id": "Layar kembali ke awal dalam {s} detik.",
            "en": "The screen returns to the start in {s} seconds.",
        },
        "kiosk.still_here": {"id": "Saya masih di sini",
                             "en": "I'm still here (Saya masih di sini)"},
        "kiosk.issued_at": {"id": "Diambil {time}", "en": "Taken {time}"},
        "kiosk.status_link": {"id": "Pantau di ponsel, ketik alamat:",
                              "en": "Follow on your phone, type the address:"},
        "kiosk.code": {"id": "Kode tiket", "en": "Ticket code"},
        "kiosk.qr_alt": {
            "id": "Kode QR untuk memantau nomor {ticket} di ponsel: {url}",
            "en": "QR code to follow number {ticket} on a phone: {url}",
        },
        "kiosk.agency_unavailable": {
            "id": "Tidak ada layanan yang bisa diambil saat ini",
            "en": "No service can be taken now",
        },
        "status.help": {"id": "Butuh bantuan", "en": "Need help"},
        "status.help_where": {"id": "Di mana Anda?", "en": "Where are you?"},
        "status.help_send": {"id": "Panggil petugas", "en": "Call staff"},
        "status.connection": {"id": "Sambungan", "en": "Connection"},
        # Spoken prompts (short, plain; said by the hall's voice).
        "speak.agency": {"id": "Silakan pilih instansi.", "en": "Please choose an agency."},
        "speak.service": {"id": "Silakan pilih layanan.", "en": "Please choose a service."},
        "speak.confirm": {
            "id": "Tekan tombol hijau untuk mengambil nomor antrean.",
            "en": "Press the green button to take a number.",
        },
        "speak.ticket": {"id": "Nomor antrean Anda sudah diambil.",
                         "en": "Your number has been taken."},
        "speak.help": {"id": "Di mana Anda menunggu? Pilih salah satu tombol.",
                       "en": "Where are you waiting? Choose a button."},
        "speak.booked": {"id": "Pindai kode QR reservasi Anda di pemindai, atau ketik kode "
                               "reservasi, lalu tekan Lapor hadir.",
                         "en": "Scan your booking's QR code at the scanner, or type the booking "
                               "code, then press Check in."},
        "speak.help_sent": {"id": "Petugas segera datang. Silakan tunggu.",
                            "en": "Staff are on their way. Please wait."},
        "speak.idle": {"id": "Apakah Anda masih di sini? Tekan tombol untuk melanjutkan.",
                       "en": "Are you still there? Press the button to continue."},
        "speak.easy_on": {
            "id": "Mode mudah aktif. Semua tombol ada di bagian bawah layar.",
            "en": "Easy mode is on. All buttons are at the bottom of the screen.",
        },
        "speak.your_number": {"id": "Nomor antrean Anda", "en": "Your number is"},
        "speak.wait_at": {"id": "Silakan menunggu di ruang tunggu {where}.",
                          "en": "Please wait in the waiting area, {where}."},
        "speak.wait": {"id": "Silakan menunggu di ruang tunggu.",
                       "en": "Please wait in the waiting area."},
        # The survey page.
        "svy.not_yet": {
            "id": "Survei untuk nomor {ticket} dapat diisi setelah Anda dilayani. Nomor ini "
            "masih menunggu.",
            "en": "The survey for number {ticket} can be filled in after you are served. "
            "This number is still waiting.",
        },
        "svy.answer_all": {"id": "Pertanyaan ini belum dijawab.",
                           "en": "This question is not answered yet."},
        "svy.token_missing": {"id": "Silakan isi kode tiket.",
                              "en": "Please enter the ticket code."},
        "svy.choose": {"id": "Pilih satu jawaban", "en": "Choose one answer"},
    }
)
