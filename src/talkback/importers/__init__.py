"""Migrations in: comments from WordPress, Disqus, Isso, Commento and Talkback's own export.

Every importer is a parser that turns its source into the records of `records.py`; the
shared machinery does the rest the same way for all of them (`run.py`): the file is read
once, as a stream, into a private staging file, and only when it has been read whole are
the comments written to the database, thread by thread, in batches. That order is what
lets a strict import refuse a bad file with nothing written, and lets replies come before
their parents in a file. Every written comment carries its origin (`import_source`,
`import_id`), so importing the same file again adds nothing.
"""
