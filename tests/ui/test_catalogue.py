"""Every page and every service message speaks Simplified Chinese as well as English.

The check has two halves. The catalogue itself: no entry is empty or fuzzy (msgfmt drops both, so
the page falls back to English), the placeholders of a translation are those of its msgid, the
file compiles with ``msgfmt --check`` and the committed .mo is that compilation. And the code:
every string the templates and the Python mark for translation — as Django's ``makemessages``
extracts them, run on a throw-away copy of the project — has a Chinese translation, ours or one
Django's or DRF's catalogue already ships ("Not found.", "This field is required.").

What no extractor sees is a user-facing string nobody wrapped in gettext; those were found by
reading (service errors, API messages) and are held here by a few rendered examples in Chinese.
"""

import gettext
import json
import re
import shutil
import subprocess
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tenancy.scoping import SYSTEM
from tenancy.services import api_key_create
from tests.factories import OrganizationFactory
from tests.tenancy_helpers import api_key_client
from tests.ui import catalogue

MO = catalogue.PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def placeholders(text: str) -> Counter:
    return Counter(named or brace for named, brace in PLACEHOLDER.findall(text))


def test_no_entry_is_empty_fuzzy_or_twice():
    entries = catalogue.parse()
    assert len(entries) > 1000  # the parser read the file, not a fragment of it
    assert [e.msgid for e in entries if not e.translations or not all(e.translations)] == []
    assert [e.msgid for e in entries if e.fuzzy or e.obsolete] == []
    assert [key for key, n in Counter(e.key for e in entries).items() if n > 1] == []


def test_translations_keep_the_placeholders_of_their_msgid():
    wrong = [
        (entry.msgid, text)
        for entry in catalogue.parse()
        for text in entry.translations
        if placeholders(text) != placeholders(entry.msgid)
        and placeholders(text) != placeholders(entry.plural or "")
    ]
    assert wrong == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext's msgfmt")
def test_the_catalogue_compiles_and_the_committed_mo_is_its_compilation(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", fresh, catalogue.PO], check=True)
    with fresh.open("rb") as new, MO.open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == gettext.GNUTranslations(new)._catalog


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs xgettext")
def test_every_string_the_code_marks_has_a_chinese_translation(tmp_path):
    ours = {entry.key for entry in catalogue.parse()}
    asked = catalogue.extracted(tmp_path)
    assert len(asked) > 1000  # makemessages read the templates and the apps
    with translation.override("zh-hans"):
        missing = [
            (entry.context, entry.msgid)
            for entry in asked
            if entry.key not in ours
            and (
                translation.pgettext(entry.context, entry.msgid)
                if entry.context
                else translation.gettext(entry.msgid)
            )
            == entry.msgid
        ]
    assert missing == []


def test_the_percent_header_of_the_lorenz_table_is_translated():
    """``{% translate "…(%)" %}`` looks up "…(%%)": the msgid must carry the doubled sign."""
    from django.template import Context, Template

    template = Template('{% load i18n %}{% translate "Creators, smallest first (%)" %}')
    with translation.override("zh-hans"):
        assert template.render(Context()) == "创作者（由小到大，%）"
    with translation.override("en"):
        assert template.render(Context()) == "Creators, smallest first (%)"


# --- Service and API messages that used to be English only ---------------------------------


@pytest.mark.django_db
def test_a_service_refusal_speaks_the_request_language():
    organization = OrganizationFactory(kind="partner")
    for language, says in (("zh-hans", "密钥需要一个名称。"), ("en", "A key needs a name.")):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            api_key_create(actor=SYSTEM, organization=organization, name=" ", scopes=[])
        assert refused.value.message_dict["name"] == [says]


@pytest.mark.django_db
def test_api_refusals_speak_chinese():
    organization = OrganizationFactory(kind="brand")
    _key, client = api_key_client(organization, ["campaigns:read"])
    keys = client.get("/api/v1/api-keys/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert keys.status_code == 403
    assert keys.json()["error"]["message"] == "API 密钥不能管理 API 密钥。"
    english = client.get("/api/v1/api-keys/", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["message"] == "API keys cannot manage API keys."


def test_a_bare_405_under_the_api_speaks_chinese():
    from django.http import HttpResponseNotAllowed
    from django.test import RequestFactory

    from api.errors import MethodNotAllowedMiddleware

    middleware = MethodNotAllowedMiddleware(lambda request: HttpResponseNotAllowed(["POST"]))
    for language, words in (("zh-hans", "不被允许"), ("en", "not allowed")):
        with translation.override(language):
            response = middleware(RequestFactory().delete("/api/v1/something/"))
        message = json.loads(response.content)["error"]["message"]
        assert "DELETE" in message and words in message
