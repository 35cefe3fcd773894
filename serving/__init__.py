"""HTTP plumbing around the articles: the page cache, security headers, robots.txt, the
health check, uploaded media in the embedded mode, and backup/restore."""
