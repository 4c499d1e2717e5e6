"""The pure modules load neither Flask nor the database layer: they stay easy to test and reuse."""

import subprocess
import sys

PURE_MODULES = [
    "consult.accounts.policy",
    "consult.accounts.idle",
    "consult.accounts.two_factor",
    "consult.audit.events",
    "consult.privacy.policy",
    "consult.mail.message",
    "consult.mail.addresses",
    "consult.site.identity",
    "consult.site.pages",
    "consult.frontmatter",
    "consult.form_validators",
    "consult.blog.posts",
    "consult.blog.rendering",
    "consult.blog.index",
    "consult.blog.search",
    "consult.blog.library",
    "consult.blog.post_cache",
    "consult.blog.versions",
    "consult.booking.slots",
    "consult.booking.availability",
    "consult.booking.status",
    "consult.booking.invites",
    "consult.booking.locations",
    "consult.booking.agenda",
    "consult.booking.policy",
    "consult.booking.month",
    "consult.booking.time_zones",
    "consult.booking.calendar_links",
    "consult.calendars.busy",
    "consult.calendars.addresses",
    "consult.calendars.bookings_ics",
    "consult.payments.provider",
    "consult.engagements.policy",
    "consult.engagements.status",
    "consult.receipts.document",
    "consult.receipts.pdf",
    "consult.portal.definition",
    "consult.portal.definition_fields",
    "consult.portal.definition_loading",
    "consult.portal.definition_rules",
    "consult.portal.respondent_scoring",
    "consult.portal.comparison",
    "consult.portal.stored_scores",
    "consult.portal.figures",
    "consult.portal.scoring",
    "consult.portal.plan",
    "consult.portal.timeline",
    "consult.portal.charts",
    "consult.portal.report_pdf",
    "consult.portal.report_style",
    "consult.portal.report_chart",
    "consult.portal.report_results",
]


def test_pure_modules_do_not_import_flask_or_sqlmodel():
    code = (
        "import sys\n"
        + "".join(f"import {module}\n" for module in PURE_MODULES)
        + "loaded = sorted(m for m in ('flask', 'sqlmodel', 'sqlalchemy') if m in sys.modules)\n"
        + "print(','.join(loaded))\n"
    )
    result = subprocess.run(  # noqa: S603  fixed argv: this interpreter and a literal script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
