"""Texts of the officers' panel: Indonesian first (KBBI: antrean, silakan), English too."""

from __future__ import annotations

from loket.server.i18n import register

register(
    {
        "counter.title": {"id": "Panel petugas loket", "en": "Counter officer panel"},
        "counter.choose": {"id": "Pilih loket", "en": "Choose a counter"},
        "counter.choose_hint": {
            "id": "Pilih loket tempat Anda bertugas hari ini.",
            "en": "Choose the counter you work at today.",
        },
        "counter.none_allowed": {
            "id": "Akun Anda belum ditugaskan ke loket mana pun. Hubungi supervisor.",
            "en": "Your account is not assigned to any counter. Ask a supervisor.",
        },
        "counter.services": {"id": "Layanan", "en": "Services"},
        "counter.current": {"id": "Nomor yang dilayani", "en": "Current ticket"},
        "counter.no_ticket": {"id": "Belum ada nomor", "en": "No ticket"},
        "counter.waited": {"id": "Menunggu {minutes} menit", "en": "Waited {minutes} min"},
        "counter.called_ago": {"id": "Dipanggil {minutes} menit lalu",
                               "en": "Called {minutes} min ago"},
        "counter.waiting_here": {"id": "Antrean untuk loket ini", "en": "Waiting for this counter"},
        "counter.waiting_total": {"id": "{count} orang menunggu", "en": "{count} waiting"},
        "counter.served_today": {"id": "Dilayani hari ini", "en": "Served today"},
        "counter.served_none": {"id": "Belum ada yang dilayani hari ini.",
                                "en": "Nobody served yet today."},
        "counter.col_ticket": {"id": "Nomor", "en": "Ticket"},
        "counter.col_called": {"id": "Dipanggil", "en": "Called"},
        "counter.col_duration": {"id": "Lama layanan", "en": "Service time"},
        "counter.col_result": {"id": "Hasil", "en": "Result"},
        "counter.result.done": {"id": "Selesai", "en": "Done"},
        "counter.result.no_show": {"id": "Tidak hadir", "en": "No-show"},
        "counter.status.idle": {"id": "Siap melayani", "en": "Ready"},
        "counter.status.serving": {"id": "Melayani", "en": "Serving"},
        "counter.status.break": {"id": "Istirahat", "en": "On a break"},
        "counter.status.closed": {"id": "Tutup", "en": "Closed"},
        "counter.key.next": {"id": "Panggil berikutnya", "en": "Call next"},
        "counter.key.recall": {"id": "Panggil ulang", "en": "Recall"},
        "counter.key.skip": {"id": "Lewati (tidak hadir)", "en": "Skip (no-show)"},
        "counter.key.done": {"id": "Selesai", "en": "Done"},
        "counter.key.transfer": {"id": "Alihkan", "en": "Transfer"},
        "counter.key.break": {"id": "Istirahat", "en": "Break"},
        "counter.key.resume": {"id": "Lanjutkan", "en": "Resume"},
        "counter.transfer_to": {"id": "Alihkan ke layanan", "en": "Transfer to service"},
        "counter.transfer_go": {"id": "Alihkan sekarang", "en": "Transfer now"},
        "counter.cancel": {"id": "Batal", "en": "Cancel"},
        "counter.shortcuts": {
            "id": "Pintasan papan ketik: N panggil, R ulang, S lewati, D selesai, T alihkan, "
                  "B istirahat, U lanjutkan.",
            "en": "Keyboard: N next, R recall, S skip, D done, T transfer, B break, U resume.",
        },
        "counter.called": {"id": "{ticket} dipanggil", "en": "{ticket} called"},
        "counter.offline": {
            "id": "Koneksi ke server terputus. Mencoba menyambung kembali…",
            "en": "Lost the connection to the server. Reconnecting…",
        },
        "counter.officer": {"id": "Petugas: {name}", "en": "Officer: {name}"},
        "counter.change": {"id": "Ganti loket", "en": "Change counter"},
    }
)


register(
    {
        "counter.key.number": {"id": "Panggil nomor…", "en": "Call a number…"},
        "counter.number_label": {"id": "Nomor antrean", "en": "Ticket number"},
        "counter.number_hint": {
            "id": "Contoh: A-012. Nomor yang menunggu atau dilewati hari ini, di layanan "
                  "loket ini.",
            "en": "For example A-012. A ticket waiting or skipped today, in this counter's "
                  "services.",
        },
        "counter.number_call": {"id": "Panggil nomor ini", "en": "Call this number"},
        "counter.number_bring_back": {"id": "Kembalikan ke antrean", "en": "Back to the queue"},
        "counter.number_missing": {"id": "Ketik nomor antrean, misalnya A-012.",
                                   "en": "Type a ticket number, for example A-012."},
        "counter.brought_back": {"id": "{ticket} dikembalikan ke antrean",
                                 "en": "{ticket} is back in the queue"},
        "counter.bring_back": {"id": "Kembalikan {ticket} ke antrean",
                               "en": "Put {ticket} back in the queue"},
        "counter.call_again": {"id": "Panggil {ticket}", "en": "Call {ticket}"},
        "counter.col_actions": {"id": "Tindakan", "en": "Actions"},
        "counter.confirm_break_next": {
            "id": "Loket sedang istirahat. Akhiri istirahat dan panggil nomor berikutnya?",
            "en": "This counter is on a break. End the break and call the next ticket?",
        },
        "counter.confirm_break_yes": {"id": "Ya, akhiri istirahat dan panggil",
                                      "en": "Yes, end the break and call"},
        "counter.transfer_pick": {"id": "Pilih layanan tujuan", "en": "Choose a service"},
        "counter.minutes_short": {"id": "{minutes} mnt", "en": "{minutes} min"},
        "counter.shortcuts_more": {
            "id": "P panggil nomor tertentu.",
            "en": "P call a given number.",
        },
    }
)
