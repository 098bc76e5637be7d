"""Organization classes: size class, GB/T 4754 sector, service companies, region groups, and coverage counts."""
