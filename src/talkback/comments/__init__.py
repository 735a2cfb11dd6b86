"""Comments: posting, editing, votes, reports, thread pages and their cache, and their API."""
