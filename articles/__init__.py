"""Content and reader pages: the articles, how they are written (admin, write path,
translation status, history), searched, and carried in and out (interchange)."""
