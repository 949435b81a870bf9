"""Occupation, industry and skill vocabularies: CSCO 2022, NAICS, NACE, ISIC, ESCO."""
