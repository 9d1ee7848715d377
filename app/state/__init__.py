"""What a request is about: the chosen view, the session's cohort, caches, the page's language."""
