"""Proficiency testing (能力验证): schemes, rounds, each lab's results, and the capability items they restrict."""
