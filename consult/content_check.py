"""Every problem in the content folder, for `flask content check` and the admin dashboard."""

from pathlib import Path

from consult.blog.library import PostLibrary
from consult.frontmatter import printable
from consult.portal.library import AssessmentLibrary
from consult.site.identity import SiteIdentityError, load_site_identity
from consult.site.pages import PageError, load_page


def content_problems(
    content_dir: Path, library: PostLibrary, assessments: AssessmentLibrary
) -> list[str]:
    """Every problem in every content file, one line each, with file and line where known.

    Posts and assessments come from the app's libraries, which already read them: nothing is
    parsed twice. site.yaml is read again, so a change made since start-up is checked too.
    None of the loaders lets a file's content raise anything but its own error.
    """
    problems: list[str] = []
    try:
        load_site_identity(content_dir / "site.yaml")
    except SiteIdentityError as error:
        problems.append(str(error))
    try:
        pages = sorted((content_dir / "pages").glob("*.md"))
    except OSError as error:
        pages = []
        problems.append(f"pages: cannot be read ({error.strerror})")
    for page in pages:
        try:
            load_page(page)
        except PageError as error:
            where = f"pages/{page.name}:{error.line}" if error.line else f"pages/{page.name}"
            problems.append(f"{where}: {error}")
    problems.extend(f"posts/{problem}" for problem in library.index().problems)
    problems.extend(assessments.problems)
    return [printable(problem) for problem in problems]  # file names and values may be hostile
