"""The client portal: organisations, the partnership-readiness assessment, results and action plans."""
