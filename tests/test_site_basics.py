"""What every visitor's browser and every download meets: the icon, labels, file headers."""

import csv
import io

from PIL import Image

from tests.conftest import _client_for
from tests.crawl import meeting_with_everything


def test_favicon_is_served_at_the_root_and_named_by_every_page(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    icon = Image.open(io.BytesIO(response.data))
    assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)


def test_meeting_dates_are_labelled_as_the_meeting_not_the_registration_window(app, client):
    staff = _client_for(app, "staff")
    ids = meeting_with_everything(app, staff, client)
    for url in (f"/i/{ids['las']}", f"/d/{ids['delegate']}"):
        page = client.get(url).get_data(as_text=True)
        assert "Meeting starts" in page and "Meeting ends" in page, url
        assert ">Opens<" not in page and ">Closes<" not in page, url
    # Every CSV the staff download names its charset once, and reads back as UTF-8.
    meeting = f"/meetings/{ids['meeting']}"
    for url in ("/organisations/export.csv", f"{meeting}/invitations/export.csv",
                f"{meeting}/registrations/export.csv",
                f"/checkin/{ids['meeting']}/attendance.csv"):
        response = staff.get(url)
        assert response.status_code == 200, url
        assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"], url
        assert response.headers["Content-Type"].count("charset") == 1, url
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
        assert len(rows) >= 2, url
