"""Every problem in the content folder, for `flask content check` and the admin dashboard."""

from pathlib import Path

from consult.blog.library import PostLibrary
from consult.portal.library import AssessmentLibrary
from consult.site.identity import SiteIdentityError, load_site_identity
from consult.site.pages import PageError, load_page


def content_problems(
    content_dir: Path, library: PostLibrary, assessments: AssessmentLibrary
) -> list[str]:
    """Every problem in every content file, one line each, with file and line where known.

    Posts and assessments come from the app's libraries, which already read them: nothing is
    parsed twice.
    """
    problems: list[str] = []
    try:
        load_site_identity(content_dir / "site.yaml")
    except SiteIdentityError as error:
        problems.append(str(error))
    for page in sorted((content_dir / "pages").glob("*.md")):
        try:
            load_page(page)
        except PageError as error:
            problems.append(str(error))
    problems.extend(f"posts/{problem}" for problem in library.index().problems)
    problems.extend(assessments.problems)
    return problems
