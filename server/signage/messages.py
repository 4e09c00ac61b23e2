"""Words of the public information pages, the complaints page and the signage admin page,
Indonesian first (KBBI), English selectable."""

from __future__ import annotations

from server.i18n import register

register({
    "error.unsupported_media": {
        "id": "Berkas bukan gambar (PNG, JPEG, WebP) atau video (MP4/H.264, WebM) yang didukung.",
        "en": "The file is not a supported image (PNG, JPEG, WebP) or video (MP4/H.264, WebM).",
    },
    "error.video_unavailable": {
        "id": "Video tidak dapat diperiksa: ffprobe belum terpasang di server.",
        "en": "Videos cannot be checked: ffprobe is not installed on the server.",
    },
    "error.unknown_media": {"id": "Media {media} tidak ada.", "en": "No media {media}."},
    "error.unknown_group": {
        "id": "Kelompok layar {group} tidak dikenal (hall, zone:<zona>, counter:<id>).",
        "en": "Unknown screen group {group} (hall, zone:<zone>, counter:<id>).",
    },
    "error.unknown_zone": {"id": "Zona {zone} tidak dikenal.", "en": "Unknown zone {zone}."},
    "sig.info_title": {"id": "Informasi Layanan", "en": "Service information"},
    "sig.info_intro": {
        "id": "Standar pelayanan setiap layanan: persyaratan, prosedur, waktu, biaya, produk "
              "dan pengaduan.",
        "en": "The service standard of each service: requirements, procedure, time, cost, "
              "product and complaints.",
    },
    "sig.info_button": {"id": "Info layanan", "en": "Service info"},
    "sig.close": {"id": "Tutup", "en": "Close"},
    "sig.kiosk_skm": {
        "id": "Kepuasan masyarakat ({period}): IKM {ikm}, mutu {grade}, {n} responden.",
        "en": "Citizen satisfaction ({period}): IKM {ikm}, grade {grade}, {n} respondents.",
    },
    "sig.no_standar": {
        "id": "Standar pelayanan belum diisi. Silakan tanyakan kepada petugas.",
        "en": "The service standard has not been filled in yet. Please ask an officer.",
    },
    "sig.std.persyaratan": {"id": "Persyaratan", "en": "Requirements"},
    "sig.std.prosedur": {"id": "Sistem, mekanisme dan prosedur",
                         "en": "System, mechanism and procedure"},
    "sig.std.waktu": {"id": "Jangka waktu pelayanan", "en": "Service time"},
    "sig.std.biaya": {"id": "Biaya/tarif", "en": "Cost/tariff"},
    "sig.std.produk": {"id": "Produk pelayanan", "en": "Service product"},
    "sig.std.pengaduan": {"id": "Penanganan pengaduan, saran dan masukan",
                          "en": "Complaints, suggestions and feedback"},
    "sig.maklumat": {"id": "Maklumat Pelayanan", "en": "Service pledge"},
    "sig.skm_title": {"id": "Hasil Survei Kepuasan Masyarakat",
                      "en": "Citizen satisfaction survey results"},
    "sig.ikm": {"id": "Indeks Kepuasan Masyarakat (IKM)", "en": "Satisfaction index (IKM)"},
    "sig.period": {"id": "Periode", "en": "Period"},
    "sig.respondents": {"id": "Responden", "en": "Respondents"},
    "sig.grade": {"id": "Mutu pelayanan", "en": "Service grade"},
    "sig.elements": {"id": "Nilai per unsur (1–4)", "en": "Score per element (1–4)"},
    "sig.follow_up": {"id": "Tindak lanjut", "en": "Follow-up"},
    "sig.no_results": {"id": "Belum ada responden pada periode ini.",
                       "en": "No respondents in this period yet."},
    "sig.complaints_summary": {
        "id": "Pengaduan daring diterima: {received}, sudah dijawab: {answered}.",
        "en": "Online complaints received: {received}, answered: {answered}.",
    },
    "sig.pengaduan_title": {"id": "Pengaduan dan Saran", "en": "Complaints and suggestions"},
    "sig.pengaduan_intro": {
        "id": "Sampaikan pengaduan atau saran tentang pelayanan di sini. Anda tidak perlu "
              "menuliskan nama. Simpan tautan yang diberikan untuk membaca jawaban kami.",
        "en": "Tell us about a problem or a suggestion. You do not need to give your name. "
              "Keep the link you are given to read our answer.",
    },
    "sig.kind": {"id": "Jenis", "en": "Kind"},
    "sig.kind.pengaduan": {"id": "Pengaduan", "en": "Complaint"},
    "sig.kind.saran": {"id": "Saran", "en": "Suggestion"},
    "sig.service_optional": {"id": "Layanan (boleh dikosongkan)", "en": "Service (optional)"},
    "sig.any_service": {"id": "— Tidak tertentu —", "en": "— Not specific —"},
    "sig.text": {"id": "Isi pengaduan atau saran", "en": "Your complaint or suggestion"},
    "sig.contact_optional": {
        "id": "Kontak untuk dihubungi (boleh dikosongkan)",
        "en": "Contact for a reply (optional)",
    },
    "sig.send": {"id": "Kirim", "en": "Send"},
    "sig.lapor": {
        "id": "Anda juga dapat menyampaikan pengaduan melalui SP4N-LAPOR!, kanal pengaduan "
              "nasional:",
        "en": "You can also file a complaint with SP4N-LAPOR!, the national complaint channel:",
    },
    "sig.sent": {
        "id": "Terima kasih. Pengaduan Anda sudah kami terima. Simpan tautan halaman ini untuk "
              "membaca jawaban kami.",
        "en": "Thank you, we have received it. Keep the link to this page to read our answer.",
    },
    "sig.your_text": {"id": "Yang Anda sampaikan", "en": "What you wrote"},
    "sig.answer": {"id": "Jawaban", "en": "Answer"},
    "sig.no_answer": {"id": "Belum dijawab. Kami akan menjawab secepatnya.",
                      "en": "Not answered yet. We will answer as soon as we can."},
    "sig.bad_form": {"id": "Periksa kembali isian Anda: {reason}",
                     "en": "Please check the form: {reason}"},
    "sig.adm.media": {"id": "Pustaka media", "en": "Media library"},
    "sig.adm.media_help": {
        "id": "Gambar PNG, JPEG, WebP atau video MP4 (H.264), WebM. Suara video mati kecuali "
              "diaktifkan di konfigurasi.",
        "en": "PNG, JPEG, WebP images or MP4 (H.264), WebM videos. Video sound is off unless "
              "turned on in the configuration.",
    },
    "sig.adm.file": {"id": "Berkas", "en": "File"},
    "sig.adm.title": {"id": "Judul", "en": "Title"},
    "sig.adm.upload": {"id": "Unggah", "en": "Upload"},
    "sig.adm.delete": {"id": "Hapus", "en": "Delete"},
    "sig.adm.playlists": {"id": "Daftar putar per layar", "en": "Playlists per screen"},
    "sig.adm.group": {"id": "Kelompok layar", "en": "Screen group"},
    "sig.adm.add_media": {"id": "Tambah media", "en": "Add media"},
    "sig.adm.add_slide": {"id": "Tambah slide", "en": "Add slide"},
    "sig.adm.seconds": {"id": "Detik", "en": "Seconds"},
    "sig.adm.from": {"id": "Dari tanggal", "en": "From"},
    "sig.adm.until": {"id": "Sampai tanggal", "en": "Until"},
    "sig.adm.days": {"id": "Hari (mon,tue,…)", "en": "Days (mon,tue,…)"},
    "sig.adm.time": {"id": "Jam (07:30-09:00)", "en": "Time (07:30-09:00)"},
    "sig.adm.save": {"id": "Simpan", "en": "Save"},
    "sig.adm.saved": {"id": "Tersimpan.", "en": "Saved."},
    "sig.adm.up": {"id": "Naik", "en": "Up"},
    "sig.adm.down": {"id": "Turun", "en": "Down"},
    "sig.adm.remove": {"id": "Buang", "en": "Remove"},
    "sig.adm.texts": {"id": "Teks berjalan terjadwal", "en": "Scheduled running texts"},
    "sig.adm.text": {"id": "Teks", "en": "Text"},
    "sig.adm.zone": {"id": "Zona (kosong = semua)", "en": "Zone (empty = all)"},
    "sig.adm.add": {"id": "Tambah", "en": "Add"},
    "sig.adm.skm": {"id": "Publikasi hasil SKM", "en": "Publishing the SKM results"},
    "sig.adm.period_from": {"id": "Periode dari", "en": "Period from"},
    "sig.adm.period_to": {"id": "sampai", "en": "to"},
    "sig.adm.maklumat_image": {"id": "Gambar maklumat (id media, boleh kosong)",
                               "en": "Pledge image (media id, optional)"},
    "sig.adm.complaints": {"id": "Pengaduan daring", "en": "Online complaints"},
    "sig.adm.answer": {"id": "Jawab", "en": "Answer"},
    "sig.adm.no_complaints": {"id": "Tidak ada pengaduan terbuka.", "en": "No open complaints."},
    "sig.adm.standar": {"id": "Standar pelayanan", "en": "Service standards"},
    "sig.adm.standar_readonly": {"id": "Hanya admin yang dapat mengubah standar pelayanan.",
                                 "en": "Only admins can change service standards."},
    "sig.adm.service": {"id": "Layanan", "en": "Service"},
    "sig.adm.error": {"id": "Gagal: {message}", "en": "Failed: {message}"},
    "sig.admin_title": {"id": "Konten layar dan informasi publik",
                        "en": "Screen content and public information"},
})
