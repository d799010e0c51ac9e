"""An admin sets the practice's letterhead — address, phone, tax id, NPI, logo — and billers may read it.

What a confused admin or a hostile upload sends is refused with a clear code and changes nothing:
a wrong NPI, a phone number that is not one, a file that is not a PNG or JPEG, a picture claiming
50 million pixels, a truncated one, one over 512 KB. Another practice never sees the logo.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from tests.factories import auth, make_client_login, make_client_via_api

LETTERHEAD = {
    "address_lines": ["12 Main Street, Suite 4", "Springfield, IL 62701"],
    "phone": "+1 (555) 010-0199",
    "tax_id": "12-3456789",
    "npi": "1234567893",
}


def _png(size=(900, 300), mode="RGBA", colour=(30, 110, 160, 255)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour[: len(mode)]).save(out, "PNG")
    return out.getvalue()


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (400, 200), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010E] = "Front desk camera"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (40.0, 44.0, 54.0)}  # GPS: where the photo was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _png_bomb(side: int = 10_000) -> bytes:
    """A real decompression bomb: a small file whose pixels inflate to `side`² bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\0" * (side + 1)  # filter byte + one grey byte per pixel
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _put_logo(http, headers, body: bytes, content_type: str = "image/png"):
    return http.put("/v1/settings/logo", headers={**headers, "Content-Type": content_type}, content=body)


def _audit(http, practice, action: str) -> list[dict]:
    events = http.get("/v1/audit-events?entity=group", headers=practice.admin).json()["data"]
    return [e for e in events if e["action"] == action]


def test_the_admin_sets_the_letterhead_and_the_biller_reads_it(http, practice):
    r = http.patch("/v1/settings", headers=practice.admin, json=LETTERHEAD)
    assert r.status_code == 200, r.text
    settings = http.get("/v1/settings", headers=practice.biller).json()
    assert {k: settings[k] for k in LETTERHEAD} == LETTERHEAD and settings["logo"] is None
    [event] = _audit(http, practice, "settings.updated")
    assert event["data"] == LETTERHEAD

    # Saving the same again is no change and records none; a biller may not change it.
    http.patch("/v1/settings", headers=practice.admin, json=LETTERHEAD)
    assert len(_audit(http, practice, "settings.updated")) == 1
    refused = http.patch("/v1/settings", headers=practice.biller, json={"phone": "555-0100"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_forbidden"

    # Clearing: null, "" or [] empties a letterhead field; null leaves the practice's name alone.
    r = http.patch(
        "/v1/settings", headers=practice.admin, json={"phone": None, "npi": "", "address_lines": [], "name": None}
    )
    assert r.status_code == 200, r.text
    cleared = r.json()
    assert (cleared["phone"], cleared["npi"], cleared["address_lines"]) == (None, None, [])
    assert cleared["tax_id"] == "12-3456789" and cleared["name"] == "Calm Therapy"


def test_a_wrong_npi_phone_tax_id_or_address_is_refused_and_changes_nothing(http, practice):
    http.patch("/v1/settings", headers=practice.admin, json=LETTERHEAD)
    refusals = {
        "npi": {"npi": "1234567890"},  # ten digits, wrong check digit
        "npi ": {"npi": "123456789"},
        "phone": {"phone": "call the front desk"},
        "phone ": {"phone": "12"},
        "tax_id": {"tax_id": "<script>alert(1)</script>"},
        "address_lines": {"address_lines": ["12 Main Street\nSpringfield"]},
        "address_lines ": {"address_lines": ["line"] * 6},
        "address_lines  ": {"address_lines": ["x" * 101]},
    }
    for param, body in refusals.items():
        r = http.patch("/v1/settings", headers=practice.admin, json={**body, "name": "Renamed"})
        assert r.status_code == 422, (body, r.text)
        error = r.json()["error"]
        assert error["code"] == "validation_failed" and error["param"].startswith(param.strip()), (body, error)
    settings = http.get("/v1/settings", headers=practice.admin).json()
    assert {k: settings[k] for k in LETTERHEAD} == LETTERHEAD and settings["name"] == "Calm Therapy"
    # Spaces in an NPI are what people type; lower-case tax ids are stored as printed.
    r = http.patch("/v1/settings", headers=practice.admin, json={"npi": "1234 567 893", "tax_id": "gb 123 4567 89"})
    assert (r.json()["npi"], r.json()["tax_id"]) == ("1234567893", "GB 123 4567 89")


def test_a_logo_is_stored_re_encoded_served_to_staff_and_removed(http, practice):
    upload = _jpeg_with_gps()
    r = _put_logo(http, practice.admin, upload, "application/octet-stream")  # judged by content, not header
    assert r.status_code == 200, r.text
    facts = r.json()
    assert (facts["media_type"], facts["width"], facts["height"]) == ("image/jpeg", 400, 200)

    served = http.get("/v1/settings/logo", headers=practice.biller)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    stored = Image.open(io.BytesIO(served.content))
    assert stored.size == (400, 200) and not stored.getexif()  # the camera's description and GPS are gone
    assert served.content != upload and b"Front desk camera" not in served.content
    assert served.headers["etag"] == f'"{facts["sha256"]}"'
    again = http.get("/v1/settings/logo", headers={**practice.biller, "If-None-Match": served.headers["etag"]})
    assert again.status_code == 304
    assert http.get("/v1/settings", headers=practice.biller).json()["logo"]["sha256"] == facts["sha256"]

    # A big PNG is scaled down to what the header prints; transparency is kept.
    r = _put_logo(http, practice.admin, _png((2400, 1200)))
    assert (r.json()["media_type"], r.json()["width"], r.json()["height"]) == ("image/png", 480, 240)
    assert Image.open(io.BytesIO(http.get("/v1/settings/logo", headers=practice.admin).content)).mode == "RGBA"

    [first, second] = sorted(_audit(http, practice, "settings.logo_updated"), key=lambda e: e["created_at"])
    assert set(first["data"]) == {"media_type", "width", "height", "sha256", "bytes"}  # never the image
    assert second["data"]["width"] == 480

    assert http.delete("/v1/settings/logo", headers=practice.biller).status_code == 403
    assert http.delete("/v1/settings/logo", headers=practice.admin).status_code == 204
    gone = http.get("/v1/settings/logo", headers=practice.admin)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "resource_missing"
    assert http.delete("/v1/settings/logo", headers=practice.admin).status_code == 204  # nothing to remove
    assert len(_audit(http, practice, "settings.logo_removed")) == 1


def test_a_hostile_or_wrong_logo_is_refused_and_nothing_is_stored(http, practice):
    valid = _png((300, 100))
    refusals = {
        "logo_not_png_or_jpeg": [
            b"just some text, not an image",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
            b"",
        ],
        "logo_dimensions": [_png_bomb(10_000), _png((8, 8)), _png((5000, 40))],
        "logo_unreadable": [valid[: len(valid) // 2], valid[:8] + b"\0" * 200],
    }
    for code, bodies in refusals.items():
        for body in bodies:
            r = _put_logo(http, practice.admin, body)
            assert r.status_code == 422, (code, len(body), r.text)
            assert r.json()["error"] == {"code": code, "message": r.json()["error"]["message"], "param": "logo"}
    too_big = _put_logo(http, practice.admin, valid + b"\0" * (512 * 1024))
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "logo_too_large"

    def streamed():  # no Content-Length: the route counts as it reads, and stops at the limit
        yield valid
        for _ in range(64):
            yield b"\0" * 65_536

    unsized = _put_logo(http, practice.admin, streamed())
    assert unsized.status_code == 413 and unsized.json()["error"]["code"] == "logo_too_large", unsized.text

    assert http.get("/v1/settings/logo", headers=practice.admin).status_code == 404
    assert http.get("/v1/settings", headers=practice.admin).json()["logo"] is None
    assert _audit(http, practice, "settings.logo_updated") == []


def test_another_practice_and_clients_never_see_the_logo(http, practice, other_practice):
    assert _put_logo(http, practice.admin, _png()).status_code == 200
    assert http.get("/v1/settings/logo", headers=other_practice.admin).status_code == 404
    assert http.get("/v1/settings", headers=other_practice.biller).json()["logo"] is None
    client = make_client_via_api(http, practice)
    as_client = auth(make_client_login(practice, client["id"]))
    assert http.get("/v1/settings/logo", headers=as_client).status_code == 403
    assert _put_logo(http, as_client, _png()).status_code == 403
    assert _put_logo(http, practice.biller, _png()).status_code == 403
    assert http.get("/v1/settings/logo").status_code == 401
    # Practice B replacing its own logo leaves practice A's alone.
    assert _put_logo(http, other_practice.admin, _png(colour=(0, 0, 0, 255))).status_code == 200
    mine = http.get("/v1/settings", headers=practice.admin).json()["logo"]["sha256"]
    theirs = http.get("/v1/settings", headers=other_practice.admin).json()["logo"]["sha256"]
    assert mine != theirs
