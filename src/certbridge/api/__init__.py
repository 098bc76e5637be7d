"""HTTP plumbing shared by every capability's router: sessions, principals, problem+json, pagination."""
