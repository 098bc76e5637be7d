"""The standards information service: look-up of Chinese and foreign standards, versions, equivalences."""
