"""Simplified Chinese number formats: Django's, with amounts grouped by thousands.

Django's ``zh_Hans`` has no thousands separator (预算 121000.00 where English shows 121,000.00);
mainland business documents and e-commerce dashboards write 121,000.00, so figures here do too.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
