"""Post files written by tests."""


def write_post(
    directory, slug, date, *, tags=("Listening",), series=None, draft=False, extra="", body=None
):
    lines = [
        f"title: {slug.replace('-', ' ').title()}",
        f"date: {date}",
        f"tags: [{', '.join(tags)}]",
        f"summary: About {slug}.",
    ]
    if series:
        lines.append(f"series: {series}")
    if draft:
        lines.append("draft: true")
    text = (
        "---\n"
        + "\n".join(lines)
        + ("\n" + extra.strip() if extra else "")
        + "\n---\n"
        + (body or f"The body of {slug} about listening.")
        + "\n"
    )
    (directory / f"{slug}.md").write_text(text)
