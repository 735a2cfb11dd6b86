"""`talkback demo`: the sample site, article, comments and gifts, and the pages serving them."""
