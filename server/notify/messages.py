"""Words of the notice opt-in (kiosk and status page) and its errors; Indonesian first."""

from __future__ import annotations

from loket.server.i18n import register

register({
    "error.bad_phone": {
        "id": "Nomor HP tidak valid. Tulis nomor HP Indonesia, misalnya 0812 3456 7890 atau "
              "+62 812 3456 7890.",
        "en": "Not a valid phone number. Enter an Indonesian mobile number, e.g. "
              "0812 3456 7890 or +62 812 3456 7890.",
    },
    "error.ticket_closed": {
        "id": "Nomor antrean ini sudah selesai; pemberitahuan tidak dapat dipasang lagi.",
        "en": "This ticket is finished; notices can no longer be turned on.",
    },
    "error.notify_unavailable": {
        "id": "Pemberitahuan lewat WhatsApp/SMS belum tersedia di gerai ini.",
        "en": "WhatsApp/SMS notices are not available in this hall.",
    },
    "notify.offer": {"id": "Kirim pemberitahuan ke WhatsApp/SMS?",
                     "en": "Send notices to WhatsApp/SMS?"},
    "notify.offer_help": {
        "id": "Kami kabari saat giliran Anda dekat dan saat dipanggil. Nomor dihapus di akhir "
              "hari.",
        "en": "We tell you when your turn is near and when you are called. The number is "
              "deleted at the end of the day.",
    },
    "notify.yes": {"id": "Ya, kirim", "en": "Yes, send"},
    "notify.no": {"id": "Tidak, terima kasih", "en": "No, thanks"},
    "notify.phone_label": {"id": "Nomor HP (WhatsApp/SMS)", "en": "Phone number (WhatsApp/SMS)"},
    "notify.phone_hint": {"id": "Contoh: 0812 3456 7890", "en": "Example: 0812 3456 7890"},
    "notify.send": {"id": "Simpan nomor", "en": "Save number"},
    "notify.cancel": {"id": "Batal", "en": "Cancel"},
    "notify.delete": {"id": "Hapus satu angka", "en": "Delete one digit"},
    "notify.clear": {"id": "Hapus semua", "en": "Clear"},
    "notify.saving": {"id": "Menyimpan…", "en": "Saving…"},
    "notify.saved": {"id": "Pemberitahuan akan dikirim ke {phone}.",
                     "en": "Notices will be sent to {phone}."},
    "notify.failed": {"id": "Tidak dapat menyimpan nomor. Coba lagi.",
                      "en": "Could not save the number. Please try again."},
    "notify.system": {"id": "Tampilkan notifikasi di layar HP saat dipanggil",
                      "en": "Show a phone notification when called"},
    "notify.system_on": {"id": "Notifikasi HP aktif selama halaman ini terbuka.",
                         "en": "Phone notifications are on while this page is open."},
    "notify.system_denied": {"id": "Notifikasi diblokir oleh peramban.",
                             "en": "Notifications are blocked by the browser."},
    "notify.alert_failing": {
        "id": "Pemberitahuan: saluran {channel} gagal {n} kali berturut-turut ({error}).",
        "en": "Notices: channel {channel} failed {n} times in a row ({error}).",
    },
    "notify.alert_stuck": {
        "id": "Pemberitahuan: {n} pesan menunggu lebih dari {minutes} menit. Apakah "
              "`loket notify worker` berjalan?",
        "en": "Notices: {n} messages have waited over {minutes} minutes. Is "
              "`loket notify worker` running?",
    },
    "notify.health_title": {"id": "Pemberitahuan WhatsApp/SMS", "en": "WhatsApp/SMS notices"},
    "notify.col_channel": {"id": "Saluran", "en": "Channel"},
    "notify.col_sent": {"id": "Terkirim", "en": "Sent"},
    "notify.col_failed": {"id": "Gagal", "en": "Failed"},
    "notify.col_last_error": {"id": "Galat terakhir", "en": "Last error"},
    "notify.queued": {"id": "Menunggu dikirim: {queued} · sedang dikirim: {sending} · gagal "
                            "permanen: {dead}",
                      "en": "Queued: {queued} · sending: {sending} · dead-lettered: {dead}"},
    "notify.called_title": {"id": "Giliran Anda!", "en": "Your turn!"},
})
