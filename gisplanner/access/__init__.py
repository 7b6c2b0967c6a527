"""Who may do what, and what they did: user roles, scopes (the areas a user works on), the audit log, and several officials saving to one database (concurrency)."""
