"""What readers look for: synonyms editors manage, and search analytics without identities."""
