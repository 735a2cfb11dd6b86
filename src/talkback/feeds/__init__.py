"""Atom feeds of a site's comments, of one thread's, and of the replies to a reader's."""
