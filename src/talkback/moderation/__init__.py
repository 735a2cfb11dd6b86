"""The moderation pipeline: small checks, each returning a finding, combined into a verdict."""
