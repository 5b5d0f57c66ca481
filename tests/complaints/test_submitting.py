"""Sanggah, usul and desil objections (/sanggah/) and their tracking page: checked whole, stored
with re-encoded photos; every bad input an Indonesian message with nothing stored; limits per
address and NIK answer 429; repeats merged."""

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from tests.conftest import BANDUNG_VILLAGE
from tests.fixtures import photos
from tests.fixtures.complaints import HEAD_NAME, send, tracking_code

pytestmark = pytest.mark.usefixtures("fresh_rate_limits")


def _stored(app):
    from app.extensions import db
    from models.complaints import Complaint, ComplaintPhoto

    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)),
            db.session.scalar(sa.select(sa.func.count()).select_from(ComplaintPhoto)),
        )


def _complaint(app, code: str):
    from app.complaints import tracking
    from app.extensions import db

    with app.app_context():
        complaint = tracking.find(code)
        db.session.expunge_all()
        return complaint


def test_a_sanggah_with_a_gps_photo_is_received_and_tracked(app, client, determined):
    house = determined()
    sent = send(client, house)
    assert sent.status_code == 302
    code = tracking_code(sent)
    complaint = _complaint(app, code)
    assert complaint.status.name == "RECEIVED" and complaint.location_source == "exif"
    assert not complaint.outside_boundary and complaint.household_id == house["id"]
    assert (complaint.due_at - complaint.received_at).days == 14
    page = client.get(f"/sanggah/{code}", follow_redirects=True).get_data(as_text=True)
    assert "Diterima. Simpan kode lacak Anda" in page
    assert "Sanggahan" in page and "Batas keputusan" in page
    assert HEAD_NAME not in page and house["register_id"] not in page
    from app.extensions import db
    from models.complaints import ComplaintPhoto

    with app.app_context():
        stored = db.session.scalar(sa.select(ComplaintPhoto.content))
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif() and "exif" not in image.info


def test_typed_coordinates_outside_the_district_are_flagged_not_refused(app, client, determined):
    house = determined()
    sent = send(client, house, files=[photos.png()], latitude="-6,2", longitude="106,8")
    complaint = _complaint(app, tracking_code(sent))
    assert complaint.outside_boundary and complaint.location_source == "typed"
    assert complaint.latitude == pytest.approx(-6.2)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"files": [photos.not_an_image()]}, "Berkas ini bukan foto JPEG atau PNG."),
        ({"files": [photos.decompression_bomb()]}, "megapiksel"),
        ({"files": [photos.truncated_jpeg()]}, "Foto ini rusak atau tidak utuh."),
        ({"files": []}, "Lampirkan paling sedikit satu foto rumah."),
        (
            {"files": [photos.png()], "latitude": "48,85", "longitude": "2,35"},
            "Koordinat ini berada di luar Indonesia.",
        ),
        ({"files": [photos.png()], "latitude": "enam"}, "Koordinat ditulis sebagai angka"),
        ({"files": [photos.png()]}, "Isi koordinat rumah"),
        (
            {"submitter_nik": "3273010101800999"},
            "tidak cocok dengan penduduk terdaftar di desa ini",
        ),
        ({"submitter_name": "Orang Lain Sekali"}, "tidak cocok dengan penduduk terdaftar"),
        ({"submitter_nik": "12345"}, "NIK harus terdiri dari 16 digit angka."),
        ({"reason": "POOR"}, "Pilih alasan dari daftar."),
        ({"household_token": "palsu"}, "Pilih rumah tangga dari hasil pencarian"),
        ({"kind": "SOMETHING"}, "Pilih jenis yang Anda kirim."),
    ],
)
def test_bad_input_gets_an_indonesian_message_and_nothing_is_stored(
    app, client, determined, change, message
):
    house = determined()
    response = send(client, house, **change)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[-500:]
    assert message in html
    assert _stored(app) == (0, 0)
    # What was typed is kept.
    assert "Rumahnya bertingkat dan punya dua mobil." in html


def test_a_resident_of_another_village_may_not_object(app, client, determined):
    house = determined()
    elsewhere = determined(village="32.73.01.1002")
    neighbour = {**house, "people": elsewhere["people"]}
    response = send(client, neighbour)
    assert response.status_code == 400
    assert "tidak cocok dengan penduduk terdaftar di desa ini" in response.get_data(as_text=True)
    assert _stored(app) == (0, 0)


def test_a_decile_objection_comes_from_a_member_of_the_household(app, client, determined):
    house = determined()
    other = determined()
    refused = send(client, {**house, "people": other["people"]}, kind="DECILE")
    assert "tidak cocok dengan anggota rumah tangga ini" in refused.get_data(as_text=True)
    accepted = send(client, house, kind="DECILE")
    assert _complaint(app, tracking_code(accepted)).kind.name == "DECILE"


def test_an_usul_names_the_head_and_address(app, client, determined):
    house = determined()
    incomplete = send(client, house, kind="PROPOSAL", village_code=BANDUNG_VILLAGE)
    assert "Isi nama kepala rumah tangga." in incomplete.get_data(as_text=True)
    sent = send(
        client,
        house,
        kind="PROPOSAL",
        village_code=BANDUNG_VILLAGE,
        head_name="Ujang Sutisna",
        address="Gang Mawar 3, RT 02/RW 05",
    )
    complaint = _complaint(app, tracking_code(sent))
    assert complaint.household_id is None and complaint.head_name == "Ujang Sutisna"


def test_the_same_matter_sent_twice_is_merged(app, client, determined):
    house = determined()
    first = _complaint(app, tracking_code(send(client, house)))
    second = _complaint(app, tracking_code(send(client, house, reason="MOVED")))
    assert second.merged_into_id == first.id and first.merged_into_id is None
    assert second.code != first.code


def test_limits_per_nik_and_per_address_answer_429(app, client, determined):
    house = determined()
    kept = app.config["COMPLAINT_NIK_DAILY_LIMIT"], app.config["COMPLAINT_RATE_LIMIT"]
    app.config["COMPLAINT_NIK_DAILY_LIMIT"] = 1
    try:
        assert send(client, house).status_code == 302
        again = send(client, house)
        assert again.status_code == 429
        assert "NIK ini sudah mengirim 1 kiriman hari ini" in again.get_data(as_text=True)
        app.config["COMPLAINT_RATE_LIMIT"] = "2 per day"  # a counter of its own
        assert send(client, house).status_code == 429  # the NIK's
        assert send(client, house).status_code == 429
        refused = send(client, house)
        assert refused.status_code == 429 and refused.headers["Retry-After"]
        assert "Terlalu banyak kiriman dari alamat Anda." in refused.get_data(as_text=True)
    finally:
        app.config["COMPLAINT_NIK_DAILY_LIMIT"], app.config["COMPLAINT_RATE_LIMIT"] = kept
    assert _stored(app)[0] == 1


def test_an_unknown_or_forged_tracking_code_is_a_clear_404(app, client):
    from app.register import verification

    certificate_code = verification.display(verification.new_code())
    for code in ("ABCDE-FGHJK-MNPQR", certificate_code, "x" * 40):
        page = client.get(f"/sanggah/{code}")
        assert page.status_code == 404
        assert "Tidak ada pengaduan dengan kode lacak ini." in page.get_data(as_text=True)
    assert client.get("/sanggah/-").status_code == 200  # the empty form
    assert client.get("/sanggah/lacak?code=salah").headers["Location"].endswith("/sanggah/-")


def test_an_oversized_photo_is_refused_with_its_limit(app, client, determined):
    house = determined()
    kept = app.config["COMPLAINT_PHOTO_MAX_BYTES"]
    app.config["COMPLAINT_PHOTO_MAX_BYTES"] = 20_000
    try:
        response = send(client, house, files=[photos.jpeg(width=2400, height=1800)])
    finally:
        app.config["COMPLAINT_PHOTO_MAX_BYTES"] = kept
    assert response.status_code == 400
    assert "Foto ini lebih besar dari" in response.get_data(as_text=True)
    assert _stored(app) == (0, 0)
