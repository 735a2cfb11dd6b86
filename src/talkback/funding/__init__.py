"""Reader funding: money arithmetic and formatting, and the Stripe client."""
