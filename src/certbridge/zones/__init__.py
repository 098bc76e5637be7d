"""Demonstration zones (示范区) and regional brands (区域品牌) defined by regulators."""
