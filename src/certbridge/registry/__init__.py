"""Who may certify and who is certified: organizations, bodies, labs, people, schemes, regions."""
