"""A receipt as an A4 PDF, in the portal report's house style: a Receipt in, PDF bytes out.

No Flask, no database. Every piece of text goes through report_style's paragraphs, whose fonts
and escaping the portal's report uses too: names such as "Smith & Jones <North>" print as
written, and no font name is repeated here.
"""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer, Table, TableStyle

from consult.portal.report_style import (
    CONTENT_WIDTH,
    FONT,
    MARGIN,
    RULE,
    SHADE,
    day,
    paragraph,
    plain,
)
from consult.receipts.document import Receipt


def _parties(receipt: Receipt) -> Table:
    """From (the practice) and billed to (the payer), side by side."""
    practice = receipt.practice
    sender = [practice.name, practice.consultant_name]
    sender += practice.address.splitlines() if practice.address else []
    sender += [practice.email] + ([practice.phone] if practice.phone else [])
    sender += [practice.site_url] + ([f"Tax number: {practice.tax_id}"] if practice.tax_id else [])
    half = CONTENT_WIDTH / 2
    parties = Table(
        [
            [paragraph("From", "head"), paragraph("Billed to", "head")],
            [paragraph("\n".join(sender), "cell"), paragraph("\n".join(receipt.billed_to), "cell")],
        ],
        colWidths=(half, half),
        hAlign="LEFT",
    )
    parties.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # a table's own default is Helvetica
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return parties


def _amounts(receipt: Receipt) -> Table:
    """What was bought, then the money lines, the last one shaded."""
    rows = [[paragraph(receipt.item, "cell"), paragraph("", "cell")]]
    rows += [[paragraph(detail, "muted"), paragraph("", "cell")] for detail in receipt.item_details]
    rows += [
        [paragraph(label, "cell"), paragraph(amount, "cell")] for label, amount in receipt.lines()
    ]
    amount_width = 45 * mm
    table = Table(rows, colWidths=(CONTENT_WIDTH - amount_width, amount_width), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
                ("LINEABOVE", (0, len(rows) - len(receipt.lines())), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def build_receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as a one-page A4 PDF (longer text flows onto more pages)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        initialFontName=FONT,  # else every page also lists Helvetica, which cannot print Unicode
        title=plain(f"Receipt {receipt.number}"),
        author=plain(receipt.practice.name),
    )
    story: list[Flowable] = [
        paragraph(receipt.practice.name, "kicker"),
        paragraph(f"Receipt {receipt.number}", "title"),
        paragraph(f"Paid on {day(receipt.paid_on)}", "lead"),
        Spacer(1, 4 * mm),
        _parties(receipt),
        Spacer(1, 6 * mm),
        _amounts(receipt),
        Spacer(1, 4 * mm),
        paragraph(receipt.payment_method, bold_prefix="Payment:"),
    ]
    if receipt.payment_reference:
        story.append(paragraph(receipt.payment_reference, "muted", bold_prefix="Reference:"))
    story += [paragraph(note, "muted") for note in receipt.notes]
    document.build(story)
    return buffer.getvalue()
