"""The client portal: organisations, the readiness assessment, its results and action plans."""
