"""Words of the bookings: their refusals and the reasons written on a cancelled booking;
Indonesian first (KBBI: antrean, silakan)."""

from __future__ import annotations

from loket.server.i18n import register

register({
    "error.slot_full": {
        "id": "Slot pukul {start} untuk {service} sudah penuh. Silakan pilih waktu lain.",
        "en": "The {start} slot for {service} is full. Please choose another time.",
    },
    "error.outside_window": {
        "id": "Waktu ini tidak dapat dipesan: reservasi dibuka paling cepat {minutes} menit "
              "sebelum slot dimulai dan paling jauh {days} hari ke depan.",
        "en": "This time cannot be booked: bookings are possible from {days} days ahead until "
              "{minutes} minutes before the slot starts.",
    },
    "error.already_booked": {
        "id": "Anda sudah memiliki reservasi aktif untuk {service} pada hari itu.",
        "en": "You already have an active booking for {service} on that day.",
    },
    "error.not_bookable": {
        "id": "Layanan {service} tidak dapat dipesan secara daring.",
        "en": "Service {service} cannot be booked online.",
    },
    "error.bad_nik": {
        "id": "NIK harus terdiri dari 16 angka.",
        "en": "The NIK must have 16 digits.",
    },
    "error.too_early": {
        "id": "Reservasi {booking} pukul {start}: check-in baru dapat dilakukan {checkin_from}. "
              "Silakan kembali nanti.",
        "en": "Booking {booking} at {start}: check-in opens {checkin_from}. Please come back "
              "then.",
    },
    "error.too_late": {
        "id": "Reservasi {booking} pukul {start} sudah lewat batas waktu check-in. Silakan ambil "
              "nomor antrean biasa.",
        "en": "Booking {booking} at {start} is past its check-in time. Please take a regular "
              "ticket.",
    },
    "error.already_checked_in": {
        "id": "Reservasi {booking} sudah check-in.",
        "en": "Booking {booking} is already checked in.",
    },
    "error.cancelled": {
        "id": "Reservasi {booking} sudah dibatalkan.",
        "en": "Booking {booking} was cancelled.",
    },
    "booking.cancelled_by_citizen": {
        "id": "Dibatalkan oleh pemesan.",
        "en": "Cancelled by the citizen.",
    },
    "booking.cancelled_by_closure": {
        "id": "Layanan tutup pada hari itu: {reason}.",
        "en": "The service is closed that day: {reason}.",
    },
})
